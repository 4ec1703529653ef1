-- Star schema of the bdg_pipeline warehouse (DuckDB). The one definition: Python never creates tables.
-- Keys: a chỉ tiêu of a plan is (plan_code, objective_no, indicator_no, part); part = '' when the
-- chỉ tiêu states one measurable target, 'a', 'b', ... when it states several.

CREATE TABLE IF NOT EXISTS dim_plan (
    plan_code VARCHAR PRIMARY KEY,      -- QN-2011-2015, LC-2021-2030, NT-2020, QN-2021-2030, TTH-2015
    province VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    seed_file VARCHAR NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL,
    monitoring_start INTEGER NOT NULL,         -- first year whose results a return may report
    monitoring_end INTEGER NOT NULL,
    province_code VARCHAR NOT NULL,         -- the (pre-2025) province whose territory the plan covers
    phase_start INTEGER NOT NULL          -- first year its "duy trì" targets hold (the phase it carries out)
);

CREATE TABLE IF NOT EXISTS dim_reporting_deadline (
    plan_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,               -- 'nam' | '6thang'
    due_day INTEGER NOT NULL,
    due_month INTEGER NOT NULL,
    source VARCHAR,
    PRIMARY KEY (plan_code, period)
);

CREATE TABLE IF NOT EXISTS dim_objective (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    field VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    source VARCHAR,
    PRIMARY KEY (plan_code, objective_no)
);

CREATE TABLE IF NOT EXISTS dim_unit (         -- written from bdg_pipeline.vocabulary.UNIT_TABLE
    unit VARCHAR PRIMARY KEY,
    symbol VARCHAR NOT NULL,
    scale INTEGER,                   -- numerator / denominator × scale = value; NULL: not a ratio
    valid_low DOUBLE NOT NULL,
    valid_high DOUBLE NOT NULL,
    year_jump_limit DOUBLE,
    about_tolerance DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_activity_status (  -- written from bdg_pipeline.vocabulary.ACTIVITY_STATUSES
    status VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_activity_kind (  -- written from bdg_pipeline.vocabulary.ACTIVITY_KINDS
    activity_kind VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_indicator (
    indicator_code VARCHAR PRIMARY KEY,        -- shared across plans when the same quantity is measured
    name VARCHAR NOT NULL,
    unit VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_agency (
    agency_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    aliases VARCHAR,
    valid_from DATE,                          -- NULL: before anything the catalogue speaks of
    valid_to DATE,                          -- NULL: still in existence
    source VARCHAR                        -- the decision that created or dissolved it
);

-- The 2025 reform of provincial departments (agencies.yaml): who took over a dissolved agency's work.
CREATE TABLE IF NOT EXISTS agency_successor (
    old_code VARCHAR NOT NULL,
    new_code VARCHAR NOT NULL,
    position INTEGER NOT NULL,           -- rules are tried in this order
    words VARCHAR,                    -- words of the indicator name that send a chỉ tiêu here; '' = the rest
    effective_date DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_plan_indicator (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    text VARCHAR NOT NULL,           -- the chỉ tiêu as written in the plan
    note VARCHAR,
    source VARCHAR,                    -- section of the seed file
    agency_source VARCHAR,
    lead_agency VARCHAR NOT NULL,
    baseline_year INTEGER,
    baseline_value DOUBLE,
    labels VARCHAR,                    -- words officers use to name this part in a result cell
    is_default BOOLEAN NOT NULL,
    PRIMARY KEY (plan_code, objective_no, indicator_no, part)
);

CREATE TABLE IF NOT EXISTS bridge_indicator_agency (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    agency_code VARCHAR NOT NULL,
    role VARCHAR NOT NULL,             -- 'lead' (chủ trì) | 'co' (phối hợp)
    position INTEGER NOT NULL              -- order the source names them in; lead 1 reports the numbers
);

-- Who reports each chỉ tiêu part, and over which days: the plan's first lead, then (after the 2025 reform)
-- the successor that took over the part's function. NULL dates are open.
CREATE TABLE IF NOT EXISTS part_reporting_agency (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    agency_code VARCHAR NOT NULL,
    valid_from DATE,
    valid_to DATE
);

-- Both worlds of the 2025 reform (bdg_pipeline.areas): pre-2025 units keep their official code,
-- units created on 1 July 2025 are keyed '<official code>@2025'.
CREATE TABLE IF NOT EXISTS dim_area (
    area_code VARCHAR PRIMARY KEY,
    area_name VARCHAR NOT NULL,
    level VARCHAR NOT NULL,           -- 'tinh' | 'huyen' | 'xa'
    province_code VARCHAR NOT NULL,
    province_name VARCHAR NOT NULL,
    parent_code VARCHAR,
    valid_from DATE,                       -- NULL: in force before the period the data covers
    valid_to DATE,                       -- NULL while in force
    territory_code VARCHAR,                    -- pre-2025 province whose territory holds the unit
    official_code VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS area_successor (
    old_code VARCHAR NOT NULL,
    new_code VARCHAR NOT NULL,
    effective_date DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_year (
    year INTEGER PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS fact_target (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    target_year INTEGER NOT NULL,
    target_value DOUBLE NOT NULL,              -- in the indicator's own unit
    direction VARCHAR NOT NULL,
    is_yearly BOOLEAN NOT NULL,             -- expanded from a "hằng năm" target
    PRIMARY KEY (plan_code, objective_no, indicator_no, part, target_year)
);

CREATE TABLE IF NOT EXISTS plan_activity (
    plan_code VARCHAR NOT NULL,
    activity_no INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    lead_agency VARCHAR NOT NULL,
    co_agencies VARCHAR,
    district VARCHAR,
    commune VARCHAR,
    due_date DATE,                     -- the activity's own date when the plan gives one (NULL otherwise)
    source VARCHAR,
    activity_kind VARCHAR NOT NULL,         -- 'training' | 'meeting' | 'campaign' | 'other' (by its words)
    PRIMARY KEY (plan_code, activity_no)
);

CREATE TABLE IF NOT EXISTS plan_budget (
    plan_code VARCHAR NOT NULL,
    category VARCHAR NOT NULL,       -- 'total' | 'phase' | 'source'
    name VARCHAR NOT NULL,
    period_start INTEGER,
    period_end INTEGER,
    amount_million_vnd DOUBLE NOT NULL,
    source VARCHAR,
    unit_note VARCHAR
);

-- Every accepted return. Superseded ones stay, with the id of the return that replaced them.
CREATE TABLE IF NOT EXISTS submission (
    submission_id VARCHAR PRIMARY KEY,        -- first 16 hex digits of the content hash
    content_hash VARCHAR NOT NULL UNIQUE,    -- sha256 of the file's bytes
    file_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,           -- 'template' | 'appendix'
    plan_code VARCHAR NOT NULL,
    province VARCHAR NOT NULL,
    agency_code VARCHAR,                    -- NULL for an appendix compiled from several agencies
    year INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    contact VARCHAR,
    report_date DATE,
    received_at TIMESTAMP NOT NULL,         -- the file's modification time in the inbox
    row_count INTEGER NOT NULL,
    status VARCHAR NOT NULL,           -- 'accepted': some value of it in force | 'superseded': none left
    superseded_by VARCHAR,
    arrival_seq INTEGER,                    -- the arrival in the archive ledger: breaks ties of report date
    arrived_at TIMESTAMP                   -- when the archive received it: the date of a return without one
);

-- The fate of every file the pipeline looked at (logged_at: when it arrived, so a rebuild gives the same log).
CREATE TABLE IF NOT EXISTS file_log (
    logged_at TIMESTAMP NOT NULL,
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR,
    outcome VARCHAR NOT NULL,             -- 'accepted' | 'rejected' | 'duplicate' | 'superseded'
    submission_id VARCHAR,
    reason VARCHAR,
    report_path VARCHAR,
    arrival_seq INTEGER,                      -- the arrival in the archive ledger (data/archive/ledger.sqlite3)
    receipt VARCHAR,                      -- for an accepted return: what it changed, in Vietnamese
    -- for a refused return read far enough to know it: the scope it was for (a later accepted return of the
    -- same scope settles it, v_submissions_log.settled_by)
    plan_code VARCHAR,
    agency_code VARCHAR,
    year INTEGER,
    period VARCHAR
);

-- Written in the last transaction of a rebuild: a staging database without it is never published.
CREATE TABLE IF NOT EXISTS build_info (
    built_at TIMESTAMP NOT NULL,
    arrivals INTEGER NOT NULL,               -- ledger arrivals replayed into this build
    complete BOOLEAN NOT NULL,
    inputs VARCHAR,                          -- digest of what it was built from (code, catalogue, ledger)
    read_on DATE                             -- the day it depends on (a refusal, a date ahead), else NULL
);

CREATE TABLE IF NOT EXISTS fact_observation (
    submission_id VARCHAR NOT NULL,
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,           -- level of the bodies counted: 'tinh' | 'huyen' | 'xa'
    year INTEGER NOT NULL,
    numerator BIGINT,
    denominator BIGINT,
    value DOUBLE,                     -- recomputed from numerator/denominator when both are given
    printed_value DOUBLE,                     -- as printed in the return
    printed_text VARCHAR,
    unit VARCHAR NOT NULL,
    agency_code VARCHAR,
    source_file VARCHAR NOT NULL,
    source_sheet VARCHAR NOT NULL,
    source_cell VARCHAR NOT NULL,
    flagged BOOLEAN NOT NULL,
    flag_reason VARCHAR,
    withdrawn BOOLEAN NOT NULL DEFAULT false  -- “Xóa” written in the cell: the earlier value is withdrawn
    -- Key: (submission_id, plan_code, objective_no, indicator_no, part, area_code, level, year). Not declared:
    -- the Observations schema rejects a return that repeats a key before it gets here, and an ART index over
    -- a million composite keys would triple the cost of every insert and hold hundreds of MB in memory.
);

-- Activities reported on in a return (sheet HoatDong of the template): one row per activity reported.
CREATE TABLE IF NOT EXISTS fact_activity_report (
    submission_id VARCHAR NOT NULL,
    plan_code VARCHAR NOT NULL,
    activity_no INTEGER NOT NULL,
    year INTEGER NOT NULL,
    agency_code VARCHAR NOT NULL,
    role VARCHAR NOT NULL,       -- 'lead' | 'co': the reporting agency's part in the activity
    status VARCHAR NOT NULL,       -- 'not_started' | 'in_progress' | 'done' | 'dropped'
    done_date DATE,
    area_codes VARCHAR[],              -- where it was carried out (communes or districts)
    area_names VARCHAR,
    result_text VARCHAR,
    reason VARCHAR,
    participants_male BIGINT,
    participants_female BIGINT,
    participants_total BIGINT,                 -- as stated (may include people not counted by sex)
    source_file VARCHAR NOT NULL,
    source_sheet VARCHAR NOT NULL,
    source_cell VARCHAR NOT NULL
);

-- Funds allocated and spent in a year by source, reported in a return (sheet KinhPhi), in triệu đồng.
CREATE TABLE IF NOT EXISTS fact_spending (
    submission_id VARCHAR NOT NULL,
    plan_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    agency_code VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,  -- plan_budget.name of a 'source' line
    allocated_million_vnd DOUBLE,
    spent_million_vnd DOUBLE,
    note VARCHAR,
    flagged BOOLEAN NOT NULL,
    flag_reason VARCHAR,
    source_file VARCHAR NOT NULL,
    source_sheet VARCHAR NOT NULL,
    source_cell VARCHAR NOT NULL
);

-- Written by the attainment step (bdg_pipeline.attainment) after every ingest; read through v_attainment.
CREATE TABLE IF NOT EXISTS fact_attainment (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    target_year INTEGER NOT NULL,
    target_value DOUBLE NOT NULL,
    direction VARCHAR NOT NULL,
    base_year INTEGER,
    base_value DOUBLE,
    latest_year INTEGER,
    latest_value DOUBLE,
    attained BOOLEAN,
    gap DOUBLE,                     -- target − latest, in the indicator's unit
    shortfall DOUBLE,                     -- distance still to go in the good direction (0 once met)
    progress_ratio DOUBLE,                     -- R = CAGR_actual / CAGR_required
    status VARCHAR NOT NULL,
    status_vi VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,           -- why, in Vietnamese, with the numbers
    status_label VARCHAR NOT NULL,           -- the badge: status_vi, naming the year it speaks of when needed
    observations INTEGER NOT NULL,
    as_of_year INTEGER NOT NULL,
    PRIMARY KEY (plan_code, objective_no, indicator_no, part, area_code, level, target_year)
);

-- The yearly series every judgement is made on, stored with the judgements by the attainment step (from the
-- roll-up province_series_rollup of views.sql) so that attainment, the report appendix, the site and the
-- charts all read one set of numbers; read through v_province_series.
CREATE TABLE IF NOT EXISTS fact_province_series (
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

CREATE TABLE IF NOT EXISTS fact_progress (
    plan_code VARCHAR NOT NULL,
    objective_no INTEGER NOT NULL,
    indicator_no INTEGER NOT NULL,
    part VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    province_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    expected_value DOUBLE,                     -- on the straight path base → 2025 → 2030 targets
    observed_value DOUBLE,
    PRIMARY KEY (plan_code, objective_no, indicator_no, part, year)
);

-- Plans whose attainment must be computed again: written in the same transaction as the returns or the
-- catalogue that changed them, emptied by the attainment step (so a crash in between loses nothing).
CREATE TABLE IF NOT EXISTS stale_attainment (
    plan_code VARCHAR PRIMARY KEY
);

-- What each plan's judgements and expected path were computed from, as one digest (bdg_pipeline.kept_judgements):
-- written in the same transaction as them, so a build may take a plan's rows from the staging it replaces when
-- the digest is the same instead of judging it again.
CREATE TABLE IF NOT EXISTS attainment_inputs (
    plan_code VARCHAR PRIMARY KEY,
    inputs VARCHAR NOT NULL
);
