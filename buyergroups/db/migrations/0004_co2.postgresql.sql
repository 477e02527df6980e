-- PostgreSQL variant of 0004_co2.sql: lists default to '{}', DOUBLE is DOUBLE PRECISION.
-- 0004: expected CO2 reduction per group and per tender (issue 6).
-- An estimate belongs to a group and optionally to a tender (tender_id, no
-- foreign key so this migration does not depend on the tenders migration) or
-- a member project. Results are stored in tonnes CO2e as low / expected / high,
-- computed by buyergroups.co2_methods from the inputs (JSON, with units).

CREATE SEQUENCE co2_estimates_id_seq;
CREATE TABLE co2_estimates (
    id INTEGER PRIMARY KEY DEFAULT nextval('co2_estimates_id_seq'),
    group_id INTEGER NOT NULL,
    tender_id INTEGER,
    project VARCHAR,
    title VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    inputs JSON NOT NULL,
    low_t DOUBLE PRECISION NOT NULL,
    expected_t DOUBLE PRECISION NOT NULL,
    high_t DOUBLE PRECISION NOT NULL,
    start_year INTEGER NOT NULL,
    years INTEGER NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'expected',
    confidence VARCHAR NOT NULL DEFAULT 'medium',
    assumptions VARCHAR NOT NULL DEFAULT '',
    source VARCHAR NOT NULL DEFAULT '',
    current_revision INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    deleted_at TIMESTAMP,
    deleted_by INTEGER,
    CHECK (status IN ('expected', 'contracted', 'realised')),
    CHECK (confidence IN ('low', 'medium', 'high')),
    CHECK (low_t <= expected_t AND expected_t <= high_t),
    CHECK (years BETWEEN 1 AND 50)
);
CREATE INDEX co2_estimates_group ON co2_estimates (group_id);
CREATE INDEX co2_estimates_tender ON co2_estimates (tender_id);

-- Every save is a new immutable revision holding all editable fields as JSON;
-- revision_no counts from 1 per estimate; based_on is the revision edited.
CREATE TABLE co2_estimate_revisions (
    estimate_id INTEGER NOT NULL,
    revision_no INTEGER NOT NULL,
    based_on INTEGER,
    fields JSON NOT NULL,
    summary VARCHAR NOT NULL DEFAULT '',
    author_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (estimate_id, revision_no)
);
