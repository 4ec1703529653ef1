-- The expected path of every target of every plan at once: a straight line from the base through each target,
-- year by year, beside the province's own value (the rules: bdg_pipeline/attainment.py, whose compute_progress()
-- is the one-series reference this query is tested against).
-- Reads judged_targets (the columns of pipeline.TARGETS_SQL), judged_series (province_code, indicator_code,
-- area_code, level, year, value) and about_tolerance (unit, tolerance).
WITH
targets AS (
    SELECT * FROM judged_targets
),

-- the province's own series; a year with two values (one indicator measured by two chỉ tiêu) shows the
-- larger, the one judge() takes as a latest value, and starts a path from the smaller, as judge()'s base
observed AS (
    SELECT
        province_code,
        indicator_code,
        year,
        min(value) AS low,
        max(value) AS value
    FROM judged_series
    WHERE level = 'tinh' AND area_code = province_code AND value IS NOT NULL AND NOT isnan(value)
    GROUP BY ALL
),

indicators AS (
    SELECT
        plan_code,
        objective_no,
        indicator_no,
        part,
        any_value(indicator_code) AS indicator_code,
        any_value(province_code) AS province_code,
        any_value(unit) AS unit,
        any_value(baseline_year) AS baseline_year,
        any_value(baseline_value) AS baseline_value,
        any_value(monitoring_start) AS monitoring_start,
        min(target_year) AS first_year,
        arg_min(target_value, target_year) AS first_value,
        arg_min(direction, target_year) AS first_direction
    FROM targets
    GROUP BY ALL
),

-- the first value in the plan's window before its first target
first_seen AS (
    SELECT
        i.plan_code,
        i.objective_no,
        i.indicator_no,
        i.part,
        arg_min(o.year, o.year) AS year,
        arg_min(o.low, o.year) AS low
    FROM indicators AS i
    INNER JOIN observed AS o
        ON
            i.province_code = o.province_code AND i.indicator_code = o.indicator_code
            AND i.monitoring_start <= o.year AND i.first_year > o.year
    GROUP BY ALL
),

-- the plan's stated baseline, else that first value
bases AS (
    SELECT
        i.*,
        CASE WHEN i.baseline_year IS NOT NULL AND i.baseline_value IS NOT NULL THEN i.baseline_year ELSE s.year END
            AS base_year,
        CASE WHEN i.baseline_year IS NOT NULL AND i.baseline_value IS NOT NULL THEN i.baseline_value ELSE s.low END
            AS base_value
    FROM indicators AS i
    LEFT JOIN first_seen AS s USING (plan_code, objective_no, indicator_no, part)
),

-- a base already past the first target holds the target: the path does not go back (met as figures.is_met)
held AS (
    SELECT
        b.*,
        CASE
            WHEN b.base_year IS NULL OR b.base_year >= b.first_year THEN FALSE
            WHEN b.first_direction IN ('at_least', 'maintain') THEN b.base_value >= b.first_value
            WHEN b.first_direction = 'above' THEN b.base_value > b.first_value
            WHEN b.first_direction = 'at_most' THEN b.base_value <= b.first_value
            WHEN b.first_direction = 'below' THEN b.base_value < b.first_value
            WHEN b.first_direction = 'about'
                THEN abs(b.base_value - b.first_value) <= coalesce(a.tolerance, 0.0) + 1e-9
        END AS base_met
    FROM bases AS b LEFT JOIN about_tolerance AS a USING (unit)
),

-- the path's points: the targets, and the base (which wins a year it shares with a target)
knots AS (
    SELECT
        plan_code,
        objective_no,
        indicator_no,
        part,
        base_year AS year,
        CASE WHEN base_met THEN first_value ELSE base_value END AS value
    FROM held
    WHERE base_year IS NOT NULL
    UNION ALL
    SELECT
        t.plan_code,
        t.objective_no,
        t.indicator_no,
        t.part,
        t.target_year,
        t.target_value
    FROM targets AS t
    INNER JOIN held AS h USING (plan_code, objective_no, indicator_no, part)
    WHERE h.base_year IS DISTINCT FROM t.target_year
),

segments AS (
    SELECT
        *,
        lag(year) OVER w AS year_before,
        lag(value) OVER w AS value_before
    FROM knots
    WINDOW w AS (PARTITION BY plan_code, objective_no, indicator_no, part ORDER BY year)
),

steps AS (
    SELECT
        *,
        unnest(range(year_before + 1, year + 1)) AS step
    FROM segments
    WHERE year_before IS NOT NULL
),

-- every year of the path: the first point's year, then each segment's years after its start, interpolated
-- as attainment.expected_value does (the same operations in the same order, so the same doubles)
path AS (
    SELECT
        plan_code,
        objective_no,
        indicator_no,
        part,
        year,
        value AS expected_value
    FROM segments
    WHERE year_before IS NULL
    UNION ALL
    SELECT
        plan_code,
        objective_no,
        indicator_no,
        part,
        step AS year,
        value_before + (value - value_before) * (step - year_before) / (year - year_before) AS expected_value
    FROM steps
)

SELECT
    p.plan_code,
    p.objective_no,
    p.indicator_no,
    p.part,
    i.indicator_code,
    i.province_code,
    p.year::INTEGER AS year,
    p.expected_value::DOUBLE AS expected_value,
    o.value::DOUBLE AS observed_value
FROM path AS p
INNER JOIN indicators AS i USING (plan_code, objective_no, indicator_no, part)
LEFT JOIN observed AS o ON i.province_code = o.province_code AND i.indicator_code = o.indicator_code AND p.year = o.year
ORDER BY p.plan_code, p.objective_no, p.indicator_no, p.part, p.year
