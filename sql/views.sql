-- Analyst views: the public contract (see README "Analyst views"). Add columns freely; never rename.

CREATE OR REPLACE VIEW v_targets AS
SELECT
    t.plan_code,
    p.province,
    t.objective_no,
    t.indicator_no,
    t.part,
    pi.indicator_code,
    i.name               AS indicator_name,
    pi.unit,
    t.direction,
    t.target_year,
    t.target_value,
    pi.baseline_year,
    pi.baseline_value,
    ag.name              AS lead_agency,
    pi.lead_agency       AS lead_agency_code,
    o.field              AS objective_field,
    pi.text              AS indicator_text,
    t.is_yearly,
    pi.source            AS seed_section,
    p.seed_file
FROM fact_target t
JOIN dim_plan p             USING (plan_code)
JOIN dim_plan_indicator pi  USING (plan_code, objective_no, indicator_no, part)
JOIN dim_indicator i        ON i.indicator_code = pi.indicator_code
LEFT JOIN dim_objective o   USING (plan_code, objective_no)
LEFT JOIN dim_agency ag     ON ag.agency_code = pi.lead_agency;

-- Observations of returns in force (superseded returns stay in fact_observation, not here).
CREATE OR REPLACE VIEW v_observations AS
SELECT
    o.indicator_code,
    o.plan_code,
    o.objective_no,
    o.indicator_no,
    o.part,
    p.province,
    COALESCE(a.area_name, o.area_code) AS area_name,
    o.level,
    o.year,
    o.numerator,
    o.denominator,
    o.value,
    o.unit,
    ag.name              AS agency,
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
FROM fact_observation o
JOIN submission s        USING (submission_id)
JOIN dim_plan p          ON p.plan_code = o.plan_code
LEFT JOIN dim_area a     ON a.area_code = o.area_code
LEFT JOIN dim_agency ag  ON ag.agency_code = o.agency_code
WHERE s.status = 'accepted';

CREATE OR REPLACE VIEW v_submissions_log AS
SELECT logged_at, file_name, outcome, submission_id, reason, report_path
FROM file_log;

CREATE OR REPLACE VIEW v_attainment AS
SELECT
    a.plan_code,
    a.indicator_code,
    p.province,
    COALESCE(ar.area_name, a.area_code) AS area_name,
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
    i.name               AS indicator_name,
    a.gap,
    a.shortfall,
    a.progress_ratio,
    a.base_year,
    a.base_value,
    a.observations,
    a.area_code,
    a.as_of_year
FROM fact_attainment a
JOIN dim_plan p          USING (plan_code)
JOIN dim_indicator i     ON i.indicator_code = a.indicator_code
LEFT JOIN dim_area ar    ON ar.area_code = a.area_code;

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
FROM fact_progress g
JOIN dim_plan p USING (plan_code);

-- Returns expected from each agency for each year and period of each plan's reporting calendar, and
-- whether they arrived: 'dung_han' (on time), 'tre_han' (late), 'chua_nop' (missing, deadline passed),
-- 'chua_den_han' (deadline not reached yet). An appendix counts for every agency named in it.
CREATE OR REPLACE VIEW v_submissions AS
WITH expected AS (
    SELECT DISTINCT b.plan_code, b.agency_code FROM bridge_indicator_agency b WHERE b.role = 'lead'
    UNION
    SELECT DISTINCT plan_code, lead_agency FROM plan_activity
),
calendar AS (
    SELECT e.plan_code, p.province, e.agency_code, y.year, d.period,
           make_date(y.year, d.due_month, d.due_day) AS due_date
    FROM expected e
    JOIN dim_plan p USING (plan_code)
    JOIN dim_reporting_deadline d USING (plan_code)
    JOIN dim_year y ON y.year BETWEEN greatest(p.monitoring_start, p.period_start) AND p.period_end
),
received AS (
    SELECT s.plan_code, s.agency_code, s.year, s.period, min(s.received_at) AS first_received,
           max(s.received_at) AS last_received, count(*) AS files
    FROM submission s WHERE s.agency_code IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT s.plan_code, o.agency_code, s.year, s.period, min(s.received_at), max(s.received_at),
           count(DISTINCT s.submission_id)
    FROM submission s JOIN fact_observation o USING (submission_id)
    WHERE s.agency_code IS NULL AND o.agency_code IS NOT NULL GROUP BY ALL
),
received_once AS (
    SELECT plan_code, agency_code, year, period, min(first_received) AS first_received,
           max(last_received) AS last_received, sum(files) AS files
    FROM received GROUP BY ALL
)
SELECT c.plan_code, c.province, c.agency_code, ag.name AS agency, c.year, c.period, c.due_date,
       r.first_received AS received_at, r.last_received, coalesce(r.files, 0) AS files,
       CASE
           WHEN r.first_received IS NOT NULL AND CAST(r.first_received AS DATE) <= c.due_date THEN 'dung_han'
           WHEN r.first_received IS NOT NULL THEN 'tre_han'
           WHEN c.due_date < current_date THEN 'chua_nop'
           ELSE 'chua_den_han'
       END AS status,
       CASE
           WHEN r.first_received IS NOT NULL AND CAST(r.first_received AS DATE) <= c.due_date THEN 'Đúng hạn'
           WHEN r.first_received IS NOT NULL THEN 'Trễ hạn'
           WHEN c.due_date < current_date THEN 'Chưa nộp'
           ELSE 'Chưa đến hạn'
       END AS status_vi,
       CASE WHEN r.first_received IS NOT NULL
            THEN date_diff('day', c.due_date, CAST(r.first_received AS DATE)) END AS days_after_due
FROM calendar c
LEFT JOIN received_once r USING (plan_code, agency_code, year, period)
LEFT JOIN dim_agency ag ON ag.agency_code = c.agency_code;
