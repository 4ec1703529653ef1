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
