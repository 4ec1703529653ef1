-- Attainment of every target at every place, judged set-wise (the rules: bdg_pipeline/attainment.py, whose
-- judge() is the one-series reference this query is tested against).
-- Reads judged_targets (the columns of pipeline.TARGETS_SQL), judged_series (province_code, indicator_code,
-- area_code, level, year, value) and about_tolerance (unit, tolerance); $as_of is the year of judgement.
WITH
targets AS (
    SELECT
        *,
        row_number() OVER () AS target_id,
        direction IN ('at_most', 'below') AS lower_is_better,
        CASE WHEN target_year < $as_of THEN target_year ELSE $as_of END AS cutoff
    FROM judged_targets
),

points AS (
    SELECT
        province_code,
        indicator_code,
        area_code,
        level,
        year,
        value
    FROM judged_series
    WHERE value IS NOT NULL AND NOT isnan(value)
),

-- the province itself always, other places where they reported the indicator
places AS (
    SELECT DISTINCT
        t.target_id,
        p.area_code,
        p.level
    FROM targets AS t INNER JOIN points AS p USING (province_code, indicator_code)
    UNION
    SELECT
        target_id,
        province_code,
        'tinh'
    FROM targets
),

-- the plan's own window; a year may hold several values, ordered as (year, value) pairs are
mine AS (
    SELECT
        t.target_id,
        pl.area_code,
        pl.level,
        p.year,
        p.value,
        p.year <= t.cutoff AS relevant,
        row_number() OVER w AS n
    FROM targets AS t
    INNER JOIN places AS pl USING (target_id)
    INNER JOIN points AS p
        ON
            t.province_code = p.province_code AND t.indicator_code = p.indicator_code
            AND pl.area_code = p.area_code AND pl.level = p.level AND t.monitoring_start <= p.year
    WINDOW w AS (PARTITION BY t.target_id, pl.area_code, pl.level, p.year <= t.cutoff ORDER BY p.year, p.value)
),

-- met judged as figures.is_met does
met AS (
    SELECT
        m.*,
        CASE t.direction
            WHEN 'at_least' THEN m.value >= t.target_value
            WHEN 'maintain' THEN m.value >= t.target_value
            WHEN 'above' THEN m.value > t.target_value
            WHEN 'at_most' THEN m.value <= t.target_value
            WHEN 'below' THEN m.value < t.target_value
            WHEN 'about' THEN abs(m.value - t.target_value) <= coalesce(a.tolerance, 0.0) + 1e-9
        END AS met,
        m.year >= t.phase_start AS in_phase
    FROM mine AS m INNER JOIN targets AS t USING (target_id) LEFT JOIN about_tolerance AS a ON t.unit = a.unit
),

summary AS (
    SELECT
        target_id,
        area_code,
        level,
        count(*) AS observations,
        arg_max(year, n) FILTER (WHERE relevant) AS latest_year,
        arg_max(value, n) FILTER (WHERE relevant) AS latest_value,
        arg_max(met, n) FILTER (WHERE relevant) AS latest_met,
        arg_min(year, n) FILTER (WHERE relevant) AS first_year,
        arg_min(value, n) FILTER (WHERE relevant) AS first_value,
        arg_min(year, n) FILTER (WHERE relevant AND in_phase AND NOT met) AS missed_year,
        arg_min(value, n) FILTER (WHERE relevant AND in_phase AND NOT met) AS missed_value
    FROM met
    GROUP BY ALL
),

judged AS (
    SELECT
        t.*,
        pl.area_code,
        pl.level,
        coalesce(s.observations, 0) AS observations,
        s.latest_year,
        s.latest_value,
        s.latest_met,
        s.missed_year,
        s.missed_value,
        coalesce(a.tolerance, 0.0) AS tolerance,
        CASE
            WHEN s.latest_year IS NULL THEN NULL
            WHEN
                pl.level = 'tinh' AND pl.area_code = t.province_code
                AND t.baseline_year IS NOT NULL AND t.baseline_value IS NOT NULL THEN t.baseline_year
            ELSE s.first_year
        END AS base_year,
        CASE
            WHEN s.latest_year IS NULL THEN NULL
            WHEN
                pl.level = 'tinh' AND pl.area_code = t.province_code
                AND t.baseline_year IS NOT NULL AND t.baseline_value IS NOT NULL THEN t.baseline_value
            ELSE s.first_value
        END AS base_value
    FROM targets AS t
    INNER JOIN places AS pl USING (target_id)
    LEFT JOIN summary AS s USING (target_id, area_code, level)
    LEFT JOIN about_tolerance AS a ON t.unit = a.unit
),

-- Open SDG's measure on what is measured: the distance to the target for "about" (lower is better)
measured AS (
    SELECT
        *,
        CASE WHEN direction = 'about' THEN abs(base_value - target_value) ELSE base_value END AS m_base,
        CASE WHEN direction = 'about' THEN abs(latest_value - target_value) ELSE latest_value END AS m_latest,
        CASE WHEN direction = 'about' THEN tolerance ELSE target_value END AS m_target,
        direction = 'about' OR lower_is_better AS m_lower
    FROM judged
),

rated AS (
    SELECT
        *,
        CASE
            WHEN latest_year > base_year AND target_year > base_year
                THEN
                    pow(greatest(m_target, 0.001) / greatest(m_base, 0.001), 1 / (target_year - base_year)) - 1
        END AS required
    FROM measured
),

ratios AS (
    SELECT
        *,
        CASE
            WHEN required IS NOT NULL AND required != 0
                THEN
                    (CASE WHEN m_lower THEN -1 ELSE 1 END)
                    * (pow(greatest(m_latest, 0.0) / greatest(m_base, 0.001), 1 / (latest_year - base_year)) - 1)
                    / abs(required)
        END AS ratio
    FROM rated
),

statuses AS (
    SELECT
        *,
        CASE
            WHEN latest_year IS NULL THEN 'no_data'
            WHEN direction = 'maintain' AND missed_year IS NOT NULL THEN 'not_achieved'
            WHEN target_year < $as_of AND latest_year != target_year THEN 'no_data'
            WHEN target_year < $as_of THEN CASE WHEN latest_met THEN 'achieved' ELSE 'not_achieved' END
            WHEN latest_met THEN 'achieved'
            WHEN unit = 'yes_no' THEN 'not_yet'
            WHEN latest_year <= base_year THEN 'insufficient_data'
            WHEN ratio IS NULL
                THEN
                    CASE
                        WHEN (m_lower AND m_latest > m_base) OR (NOT m_lower AND m_latest < m_base) THEN 'regressing'
                        ELSE 'limited_progress'
                    END
            WHEN ratio >= 0.95 THEN 'on_track'
            WHEN ratio >= 0.60 THEN 'needs_acceleration'
            WHEN ratio >= 0.0 THEN 'limited_progress'
            ELSE 'regressing'
        END AS status
    FROM ratios
)

SELECT
    plan_code,
    objective_no,
    indicator_no,
    part,
    indicator_code,
    unit,
    area_code,
    level,
    target_year::INTEGER AS target_year,
    target_value::DOUBLE AS target_value,
    direction,
    base_year::INTEGER AS base_year,
    base_value::DOUBLE AS base_value,
    latest_year::INTEGER AS latest_year,
    latest_value::DOUBLE AS latest_value,
    CASE
        WHEN status = 'no_data' AND (latest_year IS NULL OR target_year < $as_of) THEN NULL
        WHEN status IN ('achieved', 'not_achieved') THEN status = 'achieved'
        ELSE FALSE
    END AS attained,
    CASE WHEN latest_value IS NOT NULL THEN target_value - latest_value END AS gap,
    CASE
        WHEN latest_value IS NULL THEN NULL
        WHEN lower_is_better THEN greatest(0.0, latest_value - target_value)
        WHEN direction = 'about' THEN abs(target_value - latest_value)
        ELSE greatest(0.0, target_value - latest_value)
    END AS shortfall,
    CASE WHEN status IN ('on_track', 'needs_acceleration', 'limited_progress', 'regressing') THEN ratio END
        AS progress_ratio,
    status,
    CASE WHEN direction = 'maintain' AND status = 'not_achieved' THEN missed_year END::INTEGER AS missed_year,
    CASE WHEN direction = 'maintain' AND status = 'not_achieved' THEN missed_value END::DOUBLE AS missed_value,
    observations::INTEGER AS observations,
    $as_of::INTEGER AS as_of_year,
    -- judgements told in the same words share their texts, written once (what each status's words use)
    dense_rank() OVER (
        ORDER BY
            status, latest_year, latest_value, target_year, target_value, direction, unit,
            CASE
                WHEN status IN ('on_track', 'needs_acceleration', 'limited_progress', 'regressing') THEN base_year
            END,
            CASE
                WHEN status IN ('on_track', 'needs_acceleration', 'limited_progress', 'regressing') THEN base_value
            END,
            CASE
                WHEN status IN ('on_track', 'needs_acceleration', 'limited_progress', 'regressing') THEN ratio
            END,
            CASE WHEN direction = 'maintain' AND status = 'not_achieved' THEN missed_year END,
            CASE WHEN direction = 'maintain' AND status = 'not_achieved' THEN missed_value END
    ) - 1 AS text_id
FROM statuses
ORDER BY target_id, area_code, level
