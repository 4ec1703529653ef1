-- The ministry's warehouse (BDG_INSTANCE=national): built anew by bdg_pipeline.nation.build from the provinces'
-- snapshots in force and the national plans; Python fills the tables, the views are defined here. No name here is
-- used in schema.sql or views.sql (the data dictionary documents both sets in one in-memory database).

CREATE TABLE national_snapshot (
    arrival_seq INTEGER PRIMARY KEY,         -- the number in the ministry's archive ledger
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,            -- sha256 of the file as received
    received_at TIMESTAMP NOT NULL,
    province VARCHAR,                     -- from the manifest (NULL when the snapshot was refused unread)
    plans VARCHAR,                     -- '; '-separated
    built_at TIMESTAMP,
    published_at TIMESTAMP,
    exported_at TIMESTAMP,
    outcome VARCHAR NOT NULL,            -- accepted | superseded | duplicate | rejected
    in_force BOOLEAN NOT NULL,
    reason VARCHAR NOT NULL             -- in Vietnamese
);

CREATE TABLE province_plan (                   -- dim_plan of every snapshot in force
    province VARCHAR NOT NULL,
    plan_code VARCHAR PRIMARY KEY,
    province_code VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL
);

CREATE TABLE national_plan (
    plan_code VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    document VARCHAR NOT NULL,
    responsible VARCHAR NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL,
    source_file VARCHAR NOT NULL
);

CREATE TABLE national_target (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    target_year INTEGER NOT NULL,
    target_value DOUBLE NOT NULL,
    objective_field VARCHAR NOT NULL,
    indicator_text VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    PRIMARY KEY (plan_code, objective_no, indicator_no, part, target_year)
);

-- Written by the build from national_figure and national_target (bdg_pipeline.figures.is_met decides).
CREATE TABLE national_judgement (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    target_year INTEGER NOT NULL,
    latest_year INTEGER,
    latest_value DOUBLE,
    provinces INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    status_vi VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    as_of_year INTEGER NOT NULL
);

CREATE TABLE unit_scale (
    unit VARCHAR PRIMARY KEY,
    scale INTEGER                               -- NULL: not a ratio, never summed
);

-- The snapshots' own rows, one set per province in force (snapshot schema version 1: the files v_attainment,
-- v_province_series and v_targets of the province's published warehouse, cut to its own plans).
CREATE TABLE province_attainment (
    province VARCHAR NOT NULL,
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    indicator_name VARCHAR,
    unit VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    target_year INTEGER NOT NULL,
    target_value DOUBLE NOT NULL,
    direction VARCHAR NOT NULL,
    latest_year INTEGER,
    latest_value DOUBLE,
    status VARCHAR NOT NULL,
    status_vi VARCHAR NOT NULL,
    status_label VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);

CREATE TABLE province_series (
    province VARCHAR NOT NULL,
    province_code VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    numerator BIGINT,
    denominator BIGINT,
    value DOUBLE,
    rolled_up BOOLEAN NOT NULL
);

CREATE TABLE province_target (
    province VARCHAR NOT NULL,
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    target_year INTEGER NOT NULL,
    target_value DOUBLE NOT NULL,
    indicator_text VARCHAR
);

CREATE VIEW v_national_snapshots AS
SELECT
    arrival_seq,
    file_name,
    province,
    plans,
    built_at,
    published_at,
    exported_at,
    received_at,
    outcome,
    CASE outcome
        WHEN 'accepted' THEN 'Đang dùng' WHEN 'superseded' THEN 'Đã có gói mới hơn'
        WHEN 'duplicate' THEN 'Gửi trùng' ELSE 'Bị từ chối'
    END AS outcome_vi,
    in_force,
    reason,
    content_hash
FROM national_snapshot;

-- Every province's attainment, side by side: the province's own row (level tinh, its territory) of each target.
CREATE VIEW v_national_attainment AS
SELECT
    a.province,
    a.plan_code,
    a.objective_no,
    a.indicator_no,
    a.part,
    a.indicator_code,
    a.indicator_name,
    a.unit,
    a.target_year,
    a.target_value,
    a.direction,
    a.latest_year,
    a.latest_value,
    a.status,
    a.status_vi,
    a.status_label,
    a.reason,
    s.published_at AS snapshot_published_at
FROM province_attainment AS a
INNER JOIN province_plan AS p ON a.plan_code = p.plan_code AND a.area_code = p.province_code
INNER JOIN national_snapshot AS s ON a.province = s.province AND s.in_force
WHERE a.level = 'tinh';

-- The province's own yearly series (reported, or summed from its districts or communes by its attainment step).
CREATE VIEW national_figure_rows AS
SELECT DISTINCT
    p.province,
    s.indicator_code,
    s.year,
    s.numerator,
    s.denominator,
    s.value
FROM province_series AS s
INNER JOIN province_plan AS p ON s.province_code = p.province_code AND s.area_code = s.province_code
WHERE s.level = 'tinh';

-- National figures: the sums of the provinces' numerators over the sums of their denominators (never an average
-- of their shares); a province with a value but no counts is left out and named.
CREATE VIEW v_national_figures AS
SELECT
    r.indicator_code,
    r.year,
    u.unit,
    count(*) FILTER (WHERE r.numerator IS NOT NULL AND r.denominator > 0) AS provinces,
    string_agg(r.province, '; ' ORDER BY r.province) FILTER (WHERE r.numerator IS NOT NULL AND r.denominator > 0)
        AS province_names,
    sum(r.numerator) FILTER (WHERE r.numerator IS NOT NULL AND r.denominator > 0) AS numerator,
    sum(r.denominator) FILTER (WHERE r.numerator IS NOT NULL AND r.denominator > 0) AS denominator,
    sum(r.numerator) FILTER (WHERE r.numerator IS NOT NULL AND r.denominator > 0) * u.scale
    / nullif(sum(r.denominator) FILTER (WHERE r.numerator IS NOT NULL AND r.denominator > 0), 0) AS value,
    string_agg(
        r.province, '; ' ORDER BY r.province) FILTER (
        WHERE r.numerator IS NULL OR r.denominator IS NULL
        OR r.denominator <= 0
    ) AS left_out
FROM national_figure_rows AS r
INNER JOIN (SELECT DISTINCT
    indicator_code,
    unit
FROM province_target) AS t USING (indicator_code)
INNER JOIN unit_scale AS u ON t.unit = u.unit
WHERE u.scale IS NOT NULL
GROUP BY r.indicator_code, r.year, u.unit, u.scale;

-- Each national target, judged on the national figure.
CREATE VIEW v_national_targets AS
SELECT
    t.plan_code,
    t.objective_no,
    t.indicator_no,
    t.part,
    t.indicator_code,
    t.indicator_text,
    t.unit,
    t.direction,
    t.target_year,
    t.target_value,
    j.latest_year,
    j.latest_value,
    j.provinces,
    j.status,
    j.status_vi,
    j.reason,
    t.note,
    t.source,
    j.as_of_year
FROM national_target AS t
INNER JOIN national_judgement AS j USING (plan_code, objective_no, indicator_no, part, target_year);

-- Each provincial target beside the national target it restates (same quantity, same target year): weaker,
-- equal or stronger. Higher is stronger for at_least / above / maintain, lower for at_most / below; at the same
-- level a strict bound (above, below) is stronger than an inclusive one, and maintain (every year) than at_least.
-- A target "about" a level compares only with another "about" the same level.
CREATE VIEW v_target_comparison AS
WITH paired AS (
    SELECT
        p.province,
        p.plan_code,
        p.objective_no,
        p.indicator_no,
        p.part,
        p.indicator_code,
        p.unit,
        p.target_year,
        p.direction,
        p.target_value,
        n.plan_code AS national_plan_code,
        n.objective_no AS national_objective_no,
        n.indicator_no AS national_indicator_no,
        n.part AS national_part,
        n.direction AS national_direction,
        n.target_value AS national_target_value,
        CASE
            WHEN p.direction IN ('at_least', 'above', 'maintain') THEN 1
            WHEN p.direction IN ('at_most', 'below') THEN -1 ELSE 0
        END AS sense,
        CASE
            WHEN n.direction IN ('at_least', 'above', 'maintain') THEN 1
            WHEN n.direction IN ('at_most', 'below') THEN -1 ELSE 0
        END AS national_sense,
        CASE p.direction WHEN 'above' THEN 2 WHEN 'below' THEN 2 WHEN 'maintain' THEN 1 ELSE 0 END AS strictness,
        CASE n.direction WHEN 'above' THEN 2 WHEN 'below' THEN 2 WHEN 'maintain' THEN 1 ELSE 0 END
            AS national_strictness
    FROM province_target AS p
    INNER JOIN national_target AS n ON p.indicator_code = n.indicator_code AND p.target_year = n.target_year
),

compared AS (
    SELECT
        *,
        CASE
            WHEN sense = 0 OR national_sense = 0
                THEN
                    CASE
                        WHEN sense = national_sense AND target_value = national_target_value THEN 'equal'
                        ELSE 'not_comparable'
                    END
            WHEN sense <> national_sense THEN 'not_comparable'
            WHEN sense * (target_value - national_target_value) > 0 THEN 'stronger'
            WHEN sense * (target_value - national_target_value) < 0 THEN 'weaker'
            WHEN strictness > national_strictness THEN 'stronger'
            WHEN strictness < national_strictness THEN 'weaker'
            ELSE 'equal'
        END AS comparison
    FROM paired
)

SELECT
    province,
    plan_code,
    objective_no,
    indicator_no,
    part,
    indicator_code,
    unit,
    target_year,
    direction,
    target_value,
    national_plan_code,
    national_objective_no,
    national_indicator_no,
    national_part,
    national_direction,
    national_target_value,
    comparison,
    CASE comparison
        WHEN 'stronger' THEN 'Chặt hơn mức quốc gia' WHEN 'equal' THEN 'Bằng mức quốc gia'
        WHEN 'weaker' THEN 'Lỏng hơn mức quốc gia' ELSE 'Không so sánh được'
    END AS comparison_vi
FROM compared;
