-- Analyst views: the public contract (see README "Analyst views"). Add columns freely; never rename.

CREATE OR REPLACE VIEW v_targets AS
SELECT
    t.plan_code,
    p.province,
    t.objective_no,
    t.indicator_no,
    t.part,
    pi.indicator_code,
    i.name AS indicator_name,
    pi.unit,
    t.direction,
    t.target_year,
    t.target_value,
    pi.baseline_year,
    pi.baseline_value,
    ag.name AS lead_agency,
    pi.lead_agency AS lead_agency_code,
    o.field AS objective_field,
    pi.text AS indicator_text,
    t.is_yearly,
    pi.source AS seed_section,
    p.seed_file,
    agencies.lead_agencies,
    agencies.co_agencies
FROM fact_target AS t
INNER JOIN dim_plan AS p USING (plan_code)
INNER JOIN dim_plan_indicator AS pi USING (plan_code, objective_no, indicator_no, part)
INNER JOIN dim_indicator AS i ON pi.indicator_code = i.indicator_code
LEFT JOIN dim_objective AS o USING (plan_code, objective_no)
LEFT JOIN dim_agency AS ag ON pi.lead_agency = ag.agency_code
LEFT JOIN (
    SELECT
        b.plan_code,
        b.objective_no,
        b.indicator_no,
        b.part,
        string_agg(a.name, '; ' ORDER BY b.position) FILTER (WHERE b.role = 'lead') AS lead_agencies,
        string_agg(a.name, '; ' ORDER BY b.position) FILTER (WHERE b.role = 'co') AS co_agencies
    FROM bridge_indicator_agency AS b INNER JOIN dim_agency AS a USING (agency_code)
    GROUP BY ALL
) AS agencies USING (plan_code, objective_no, indicator_no, part);

-- What is in force: the one place it is decided (README "Returns", corrections by value).
-- A return's scope is its plan, agency, year, period and kind. Within a scope, returns rank by report date (a
-- return without one: the day the archive received it, never the file's own time), then by arrival:
-- `precedence` 1, 2, ... (the latest last).
-- scope_returns and yearly_arrived are as of every arrival; values_as_of() works them out as of any arrival.
-- An undated return is dated the day its file was last written, capped at the day the archive received it
-- (a file time ahead of its arrival is a wrong clock or a generator, not evidence).
CREATE OR REPLACE VIEW submission_precedence AS
SELECT
    submission_id,
    plan_code,
    coalesce(agency_code, '') AS agency_scope,
    year,
    period,
    kind,
    coalesce(report_date, least(cast(received_at AS DATE), cast(coalesce(arrived_at, received_at) AS DATE)))
        AS effective_date,
    arrival_seq,
    row_number() OVER (
        PARTITION BY plan_code, coalesce(agency_code, ''), year, period, kind
        ORDER BY
            coalesce(report_date, least(cast(received_at AS DATE), cast(coalesce(arrived_at, received_at) AS DATE))),
            arrival_seq
    ) AS precedence,
    count(*) OVER (PARTITION BY plan_code, coalesce(agency_code, ''), year, period, kind) AS scope_returns,
    bool_or(period = 'nam') OVER (PARTITION BY plan_code, coalesce(agency_code, ''), year, kind) AS yearly_arrived
FROM submission;

-- Every value the returns arrived up to arrival `upto` (NULL: all of them) carry — an observation (chỉ tiêu
-- part × area × level × year), an activity's report of a year, a budget source's spending of a year — and
-- whether it is in force then: for each scope and value, the return of highest precedence that carries it
-- holds it (its withdrawal, “Xóa”, holds it empty); a blank cell carries nothing and leaves the value where
-- it was. A 6-month return holds nothing once a yearly return of its year has arrived. With `contested_only`,
-- only scopes with more than one return (the others need no comparison: all their values are in force).
CREATE OR REPLACE MACRO values_as_of(UPTO, CONTESTED_ONLY) AS TABLE
    WITH arrived AS (
        SELECT
            * EXCLUDE (scope_returns, yearly_arrived),
            count(*) OVER (PARTITION BY plan_code, agency_scope, year, period, kind) AS scope_returns,
            bool_or(period = 'nam') OVER (PARTITION BY plan_code, agency_scope, year, kind) AS yearly_arrived
        FROM submission_precedence
        WHERE upto IS NULL OR arrival_seq <= upto
    ),

    compared AS (
        SELECT * FROM arrived
        WHERE NOT contested_only OR scope_returns > 1
    ),

    carried AS (
        SELECT
            c.*,
            'observation' AS fact,
            o.objective_no,
            o.indicator_no,
            o.part,
            o.area_code,
            o.level,
            o.year AS value_year,
            cast(NULL AS INTEGER) AS activity_no,
            cast(NULL AS VARCHAR) AS source_name,
            o.withdrawn
        FROM fact_observation AS o INNER JOIN compared AS c USING (submission_id)
        UNION ALL
        SELECT
            c.*,
            'activity',
            NULL,
            NULL,
            NULL,
            NULL,
            NULL,
            r.year,
            r.activity_no,
            NULL,
            FALSE
        FROM fact_activity_report AS r INNER JOIN compared AS c USING (submission_id)
        UNION ALL
        SELECT
            c.*,
            'spending',
            NULL,
            NULL,
            NULL,
            NULL,
            NULL,
            f.year,
            NULL,
            f.source_name,
            FALSE
        FROM fact_spending AS f INNER JOIN compared AS c USING (submission_id)
    )

    SELECT
        *,
        row_number() OVER (PARTITION BY
            plan_code, agency_scope, year, period, kind, fact, objective_no, indicator_no,
            part, area_code, level, value_year, activity_no, source_name
        ORDER BY precedence DESC) = 1
        AND NOT (period = '6thang' AND yearly_arrived) AS in_force
    FROM carried;

-- Observations in force, every column of fact_observation (withdrawals hide their key).
CREATE OR REPLACE VIEW observations_in_force AS
SELECT o.*
FROM fact_observation AS o INNER JOIN submission_precedence AS s USING (submission_id)
WHERE s.scope_returns = 1 AND NOT (s.period = '6thang' AND s.yearly_arrived) AND NOT o.withdrawn
UNION ALL
SELECT o.*
FROM fact_observation AS o
SEMI JOIN (
    SELECT
        submission_id,
        objective_no,
        indicator_no,
        part,
        area_code,
        level,
        value_year AS year
    FROM values_as_of(NULL, TRUE)
    WHERE fact = 'observation' AND in_force AND NOT withdrawn
) AS v
    USING (submission_id, objective_no, indicator_no, part, area_code, level, year);

-- Activity reports and spending lines in force, every column of their table.
CREATE OR REPLACE VIEW activity_reports_in_force AS
SELECT r.*
FROM fact_activity_report AS r
SEMI JOIN (
    SELECT
        submission_id,
        value_year AS year,
        activity_no
    FROM values_as_of(NULL, FALSE)
    WHERE fact = 'activity' AND in_force
) AS v
    USING (submission_id, year, activity_no);

CREATE OR REPLACE VIEW spending_in_force AS
SELECT f.*
FROM fact_spending AS f
SEMI JOIN (
    SELECT
        submission_id,
        value_year AS year,
        source_name
    FROM values_as_of(NULL, FALSE)
    WHERE fact = 'spending' AND in_force
) AS v
    USING (submission_id, year, source_name);

-- Observations in force (values of earlier returns that a later-dated one replaced or withdrew stay in
-- fact_observation, not here).
CREATE OR REPLACE VIEW v_observations AS
SELECT
    o.indicator_code,
    o.plan_code,
    o.objective_no,
    o.indicator_no,
    o.part,
    p.province,
    coalesce(a.area_name, o.area_code) AS area_name,
    o.level,
    o.year,
    o.numerator,
    o.denominator,
    o.value,
    o.unit,
    ag.name AS agency,
    o.source_file,
    o.source_sheet,
    o.source_cell,
    o.flagged,
    o.flag_reason,
    o.printed_value,
    o.printed_text,
    o.area_code,
    o.agency_code,
    o.submission_id
FROM observations_in_force AS o
INNER JOIN dim_plan AS p ON o.plan_code = p.plan_code
LEFT JOIN dim_area AS a ON o.area_code = a.area_code
LEFT JOIN dim_agency AS ag ON o.agency_code = ag.agency_code;

CREATE OR REPLACE VIEW v_submissions_log AS
WITH settled AS (  -- a refused file is settled by the first return of its scope accepted after it
    SELECT
        f.arrival_seq,
        arg_min(s.file_name, s.arrival_seq) AS settled_by,
        min(s.arrival_seq) AS settled_by_seq
    FROM file_log AS f
    INNER JOIN submission AS s
        ON
            f.plan_code = s.plan_code AND f.agency_code = s.agency_code AND f.year = s.year
            AND f.period = s.period AND f.arrival_seq < s.arrival_seq
    WHERE f.outcome = 'rejected'
    GROUP BY f.arrival_seq
)

SELECT
    f.logged_at,
    f.file_name,
    f.outcome,
    f.submission_id,
    f.reason,
    f.report_path,
    f.arrival_seq,
    f.receipt,
    st.settled_by,
    st.settled_by_seq
FROM file_log AS f
LEFT JOIN settled AS st ON f.outcome = 'rejected' AND f.arrival_seq = st.arrival_seq;

CREATE OR REPLACE VIEW v_attainment AS
SELECT
    a.plan_code,
    a.indicator_code,
    p.province,
    coalesce(ar.area_name, a.area_code) AS area_name,
    a.level,
    a.target_year,
    a.target_value,
    a.direction,
    a.latest_year,
    a.latest_value,
    a.attained,
    a.status,
    a.status_vi,
    a.objective_no,
    a.indicator_no,
    a.part,
    a.unit,
    i.name AS indicator_name,
    a.gap,
    a.shortfall,
    a.progress_ratio,
    a.base_year,
    a.base_value,
    a.observations,
    a.area_code,
    a.as_of_year,
    a.reason,
    a.status_label
FROM fact_attainment AS a
INNER JOIN dim_plan AS p USING (plan_code)
INNER JOIN dim_indicator AS i ON a.indicator_code = i.indicator_code
LEFT JOIN dim_area AS ar ON a.area_code = ar.area_code;

CREATE OR REPLACE VIEW v_progress AS
SELECT
    g.plan_code,
    g.objective_no,
    g.indicator_no,
    g.part,
    g.indicator_code,
    p.province,
    g.year,
    g.expected_value,
    g.observed_value,
    g.observed_value - g.expected_value AS deviation
FROM fact_progress AS g
INNER JOIN dim_plan AS p USING (plan_code);

-- Returns expected from each agency for each year and period of each plan's reporting calendar, and
-- whether they arrived: 'on_time' (on time), 'late' (late), 'missing' (missing, deadline passed),
-- 'not_due' (deadline not reached yet). An appendix counts for every agency named in it.
CREATE OR REPLACE VIEW v_submissions AS
WITH expected AS (
    -- the agency reporting each part over the days it does (after the 2025 reform, a dissolved lead's successor)
    SELECT DISTINCT
        plan_code,
        agency_code,
        valid_from,
        valid_to
    FROM part_reporting_agency
    UNION
    SELECT DISTINCT
        plan_code,
        lead_agency,
        cast(NULL AS DATE),
        cast(NULL AS DATE)
    FROM plan_activity
),

calendar AS (
    SELECT DISTINCT
        e.plan_code,
        p.province,
        e.agency_code,
        y.year,
        d.period,
        make_date(y.year, d.due_month, d.due_day) AS due_date
    FROM expected AS e
    INNER JOIN dim_plan AS p USING (plan_code)
    INNER JOIN dim_reporting_deadline AS d USING (plan_code)
    -- the plan's own years, and any earlier monitored year some return reported on (Ninh Thuận's 2019 appendix)
    INNER JOIN dim_year AS y
        ON
            y.year BETWEEN p.monitoring_start AND p.period_end
            AND (
                p.period_start <= y.year
                OR EXISTS (
                    SELECT 1 FROM submission AS s
                    WHERE s.plan_code = e.plan_code AND s.year = y.year
                )
            )
    -- a period is answered by the agency in existence on its last day (31/12, or 30/6 for a 6-month report)
    WHERE
        (CASE d.period WHEN '6thang' THEN make_date(y.year, 6, 30) ELSE make_date(y.year, 12, 31) END)
        BETWEEN coalesce(e.valid_from, DATE '0001-01-01') AND coalesce(e.valid_to, DATE '9999-12-31')
),

received AS (
    SELECT
        s.plan_code,
        s.agency_code,
        s.year,
        s.period,
        min(s.received_at) AS first_received,
        max(s.received_at) AS last_received,
        count(*) AS files
    FROM submission AS s
    WHERE s.agency_code IS NOT NULL
    GROUP BY ALL
    UNION ALL
    SELECT
        s.plan_code,
        o.agency_code,
        s.year,
        s.period,
        min(s.received_at),
        max(s.received_at),
        count(DISTINCT s.submission_id)
    FROM submission AS s INNER JOIN fact_observation AS o USING (submission_id)
    WHERE s.agency_code IS NULL AND o.agency_code IS NOT NULL
    GROUP BY ALL
),

received_once AS (
    SELECT
        plan_code,
        agency_code,
        year,
        period,
        min(first_received) AS first_received,
        max(last_received) AS last_received,
        sum(files) AS files
    FROM received
    GROUP BY ALL
),

judged AS (
    SELECT
        c.plan_code,
        c.province,
        c.agency_code,
        ag.name AS agency,
        c.year,
        c.period,
        c.due_date,
        r.first_received AS received_at,
        r.last_received,
        coalesce(r.files, 0) AS files,
        CASE
            WHEN r.first_received IS NOT NULL AND cast(r.first_received AS DATE) <= c.due_date THEN 'on_time'
            WHEN r.first_received IS NOT NULL THEN 'late'
            WHEN c.due_date < current_date THEN 'missing'
            ELSE 'not_due'
        END AS status,
        CASE
            WHEN r.first_received IS NOT NULL
                THEN date_diff('day', c.due_date, cast(r.first_received AS DATE))
        END AS days_after_due
    FROM calendar AS c
    LEFT JOIN received_once AS r USING (plan_code, agency_code, year, period)
    LEFT JOIN dim_agency AS ag ON c.agency_code = ag.agency_code
)

SELECT
    plan_code,
    province,
    agency_code,
    agency,
    year,
    period,
    due_date,
    received_at,
    last_received,
    files,
    status,
    CASE status
        WHEN 'on_time' THEN 'Đúng hạn' WHEN 'late' THEN 'Trễ hạn' WHEN 'missing' THEN 'Chưa nộp'
        ELSE 'Chưa đến hạn'
    END AS status_vi,
    days_after_due
FROM judged;

CREATE OR REPLACE VIEW v_areas AS
SELECT
    area_code,
    area_name,
    level,
    province_code,
    province_name,
    valid_from,
    valid_to,
    parent_code,
    territory_code,
    official_code
FROM dim_area;

CREATE OR REPLACE VIEW v_area_successors AS
SELECT
    old_code,
    new_code,
    effective_date
FROM area_successor;

-- Yearly values per (pre-2025) province territory, indicator, area and level. Rows reported for the
-- province itself are kept; where a territory has no province row of its own for a year, its
-- districts' (else its communes') numerators and denominators are summed — never shares averaged.
-- A 2023 district return and a 2026 commune return of Lào Cai land in the same series (territory '10').
-- province_series_of(codes): the roll-up of the provinces (territories) listed, NULL for all of them. A
-- province's rows depend only on the observations of its own areas, so those are chosen before anything else
-- is worked out: the attainment step asks for the provinces a return changed at the cost of those provinces
-- (a filter on the view's result would not reach past its windows, and the whole country would be rolled up).
CREATE OR REPLACE MACRO province_series_of(CODES) AS TABLE
    WITH located AS (
        SELECT
            o.*,
            a.level AS area_level,
            a.territory_code,
            a.province_code AS current_province
        FROM v_observations AS o INNER JOIN dim_area AS a USING (area_code)
        WHERE codes IS NULL OR list_contains(codes, a.territory_code) OR list_contains(codes, a.province_code)
    ),

    obs AS (  -- a post-2025 commune counts for its old territory and for its new province
        SELECT
            territory_code AS province_code,
            indicator_code,
            unit,
            area_code,
            area_level,
            level,
            year,
            numerator,
            denominator,
            value
        FROM located
        WHERE territory_code IS NOT NULL AND (codes IS NULL OR list_contains(codes, territory_code))
        UNION ALL
        SELECT
            current_province,
            indicator_code,
            unit,
            area_code,
            area_level,
            level,
            year,
            numerator,
            denominator,
            value
        FROM located
        WHERE
            current_province IS DISTINCT FROM territory_code
            AND (codes IS NULL OR list_contains(codes, current_province))
    ),

    lower_units AS (
        SELECT
            *,
            CASE area_level WHEN 'huyen' THEN 0 WHEN 'xa' THEN 1 ELSE 2 END AS level_rank
        FROM obs
        WHERE area_code <> province_code AND numerator IS NOT NULL AND denominator IS NOT NULL
    ),

    best AS (
        SELECT * FROM lower_units
        QUALIFY level_rank = min(level_rank) OVER (PARTITION BY province_code, indicator_code, year)
    ),

    sums AS (
        SELECT
            province_code,
            indicator_code,
            unit,
            year,
            sum(numerator) AS numerator,
            sum(denominator) AS denominator
        FROM best
        GROUP BY ALL
        HAVING sum(denominator) > 0
    )

    SELECT
        province_code,
        indicator_code,
        area_code,
        level,
        year,
        numerator,
        denominator,
        value,
        FALSE AS rolled_up
    FROM obs
    UNION ALL
    SELECT
        s.province_code,
        s.indicator_code,
        s.province_code,
        'tinh',
        s.year,
        s.numerator,
        s.denominator,
        s.numerator / s.denominator * u.scale,
        TRUE
    FROM sums AS s INNER JOIN dim_unit AS u USING (unit)
    WHERE NOT EXISTS (
        SELECT 1
        FROM obs AS o
        WHERE
            o.province_code = s.province_code AND o.area_code = s.province_code
            AND o.level = 'tinh' AND o.indicator_code = s.indicator_code AND o.year = s.year
    );

-- The roll-up of every province (what the attainment step stores is province_series_of's rows, the same).
CREATE OR REPLACE VIEW province_series_rollup AS
SELECT * FROM province_series_of(NULL);

-- The roll-up as the attainment step stored it beside its judgements: what every output reads.
CREATE OR REPLACE VIEW v_province_series AS
SELECT
    province_code,
    indicator_code,
    area_code,
    level,
    year,
    numerator,
    denominator,
    value,
    rolled_up
FROM fact_province_series;

-- Each activity of a plan, in each year of the plan's period (and any other year it was reported on),
-- with its status as reported in force (by activity, as values are): the lead agency's latest report, else the latest
-- report of a co-agency. Overdue: neither done nor dropped after its due date (the plan's own date for
-- the activity, else the plan's reporting deadline of the year).
CREATE OR REPLACE VIEW v_activities AS
WITH reports AS (
    SELECT
        r.*,
        s.received_at,
        row_number() OVER (
            PARTITION BY r.plan_code, r.activity_no, r.year
            ORDER BY (r.role = 'lead') DESC, s.received_at DESC, r.submission_id DESC
        ) AS pick,
        count(*) OVER (PARTITION BY r.plan_code, r.activity_no, r.year) AS agencies_reporting
    FROM activity_reports_in_force AS r
    INNER JOIN submission AS s USING (submission_id)
),

activity_years AS (
    SELECT
        a.plan_code,
        a.activity_no,
        y.year
    FROM plan_activity AS a
    INNER JOIN dim_plan AS p USING (plan_code)
    INNER JOIN dim_year AS y ON y.year BETWEEN p.period_start AND p.period_end
    UNION
    SELECT
        plan_code,
        activity_no,
        year
    FROM reports
),

deadline AS (
    SELECT
        plan_code,
        min(due_month * 100 + due_day) AS month_day
    FROM dim_reporting_deadline
    WHERE period = 'nam'
    GROUP BY plan_code
),

judged AS (
    SELECT
        ay.plan_code,
        ay.activity_no,
        ay.year,
        r.* EXCLUDE (plan_code, activity_no, year),
        coalesce(a.due_date, make_date(ay.year, d.month_day // 100, d.month_day % 100)) AS due_date
    FROM activity_years AS ay
    INNER JOIN plan_activity AS a USING (plan_code, activity_no)
    LEFT JOIN deadline AS d USING (plan_code)
    LEFT JOIN reports
        AS r ON ay.plan_code = r.plan_code AND ay.activity_no = r.activity_no AND ay.year = r.year
    AND r.pick = 1
)

SELECT
    j.plan_code,
    p.province,
    j.activity_no,
    a.text AS activity_text,
    a.activity_kind,
    k.label AS activity_kind_vi,
    a.lead_agency AS lead_agency_code,
    lead.name AS lead_agency,
    a.co_agencies AS co_agency_codes,
    a.district AS planned_district,
    a.commune AS planned_commune,
    j.year,
    coalesce(j.status, 'not_reported') AS status,
    st.label AS status_vi,
    j.due_date,
    coalesce(j.status, 'not_reported') NOT IN ('done', 'dropped') AND j.due_date < current_date AS overdue,
    j.done_date,
    j.area_names,
    j.area_codes,
    j.result_text,
    j.reason,
    j.participants_male,
    j.participants_female,
    coalesce(j.participants_total, j.participants_male + j.participants_female) AS participants_total,
    j.agency_code AS reported_by_code,
    rep.name AS reported_by,
    j.role AS reported_as,
    coalesce(j.agencies_reporting, 0) AS agencies_reporting,
    j.received_at AS reported_at,
    j.source_file,
    j.source_sheet,
    j.source_cell
FROM judged AS j
INNER JOIN plan_activity AS a USING (plan_code, activity_no)
INNER JOIN dim_plan AS p USING (plan_code)
INNER JOIN dim_activity_status AS st ON st.status = coalesce(j.status, 'not_reported')
LEFT JOIN dim_activity_kind AS k ON a.activity_kind = k.activity_kind
LEFT JOIN dim_agency AS lead ON a.lead_agency = lead.agency_code
LEFT JOIN dim_agency AS rep ON j.agency_code = rep.agency_code;

-- A plan's budget against the funds reported allocated and spent in returns in force (triệu đồng): one
-- row per line of plan_budget — the total, each phase (years of the phase, all sources) and each source
-- (all years). Execution rate: spent / planned × 100.
CREATE OR REPLACE VIEW v_budget AS
WITH spending AS (
    SELECT * FROM spending_in_force
),

summed AS (
    SELECT
        b.plan_code,
        b.category,
        b.name,
        b.period_start,
        b.period_end,
        b.amount_million_vnd AS planned,
        sum(f.allocated_million_vnd) AS allocated,
        sum(f.spent_million_vnd) AS spent,
        count(DISTINCT f.year) AS years_reported,
        min(f.year) AS first_year,
        max(f.year) AS last_year
    FROM plan_budget AS b
    LEFT JOIN spending AS f
        ON
            b.plan_code = f.plan_code
            AND (b.category <> 'source' OR b.name = f.source_name)
            AND (b.category <> 'phase' OR f.year BETWEEN b.period_start AND b.period_end)
    GROUP BY ALL
)

SELECT
    s.plan_code,
    p.province,
    s.category,
    CASE s.category WHEN 'total' THEN 'Tổng' WHEN 'phase' THEN 'Giai đoạn' ELSE 'Nguồn' END AS category_vi,
    s.name,
    s.period_start,
    s.period_end,
    s.planned AS planned_million_vnd,
    coalesce(s.allocated, 0) AS allocated_million_vnd,
    coalesce(s.spent, 0) AS spent_million_vnd,
    round(100 * coalesce(s.spent, 0) / nullif(s.planned, 0), 2) AS execution_rate,
    round(100 * s.spent / nullif(s.allocated, 0), 2) AS disbursement_rate,
    coalesce(s.spent, 0) > s.planned AS over_plan,
    s.years_reported,
    s.first_year,
    s.last_year
FROM summed AS s
INNER JOIN dim_plan AS p USING (plan_code);

-- Agencies across the 2025 reform of provincial departments (agencies.yaml): validity and successors.
CREATE OR REPLACE VIEW v_agencies AS
SELECT
    a.agency_code,
    a.name,
    a.valid_from,
    a.valid_to,
    (
        SELECT string_agg(s.new_code, '; ' ORDER BY s.position) FROM agency_successor AS s
        WHERE s.old_code = a.agency_code
    ) AS successor_codes,
    a.source,
    a.aliases
FROM dim_agency AS a;

-- Which agency reports each chỉ tiêu part, over which days (public view of part_reporting_agency).
CREATE OR REPLACE VIEW v_reporting_agencies AS
SELECT
    r.plan_code,
    r.objective_no,
    r.indicator_no,
    r.part,
    r.agency_code,
    a.name AS agency,
    r.valid_from,
    r.valid_to
FROM part_reporting_agency AS r LEFT JOIN dim_agency AS a USING (agency_code);
