-- 0012: the MVI benchmark (issue 14, steps 2 and 3, ambitions).
-- One file for both engines: VARCHAR, INTEGER, BOOLEAN, DOUBLE PRECISION, TIMESTAMP;
-- no list columns (themes and criteria of a revision are JSON text, read whole by the
-- package; the current themes are rows of tender_assessment_themes, so SQL can count them).
--
-- Step 2, correction: a head row per corrected tender (id = the tender's id, so that
-- db.compare_and_set claims it like every other versioned row) and immutable revisions.
-- The automatic reading (tenders.mvi, mvi_themes, mvi_evidence) is never changed by a
-- correction, and an import never touches these tables: a re-import cannot overwrite it.

CREATE TABLE tender_assessments (
    id INTEGER PRIMARY KEY,              -- the tender's id
    organisation_id INTEGER,             -- the corrector's organisation (NULL: none, e.g. an admin)
    current_revision INTEGER NOT NULL,
    sustainable BOOLEAN NOT NULL,
    themes VARCHAR NOT NULL,             -- JSON text: the theme codes, in Theme order
    criteria VARCHAR NOT NULL,           -- JSON text: [{criterion_id|null, text}]
    reason VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);
CREATE TABLE tender_assessment_themes (
    tender_id INTEGER NOT NULL,
    theme VARCHAR NOT NULL,
    PRIMARY KEY (tender_id, theme)
);
CREATE TABLE tender_assessment_revisions (
    tender_id INTEGER NOT NULL,
    revision_no INTEGER NOT NULL,
    based_on INTEGER,                    -- the revision the corrector saw (0: none yet)
    organisation_id INTEGER,
    sustainable BOOLEAN NOT NULL,
    themes VARCHAR NOT NULL,
    criteria VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    auto_mvi BOOLEAN NOT NULL,           -- the automatic reading when the correction was made
    auto_themes VARCHAR NOT NULL,        -- JSON text
    author_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tender_id, revision_no)
);

-- Step 3, contract and realisation, per awarded tender. co2_estimate_id names the CO2
-- estimate of the tender whose status (expected -> contracted -> realised) this answer
-- belongs with; the status itself stays the estimate's.
CREATE TABLE tender_realisations (
    id INTEGER PRIMARY KEY,              -- the tender's id
    organisation_id INTEGER,
    current_revision INTEGER NOT NULL,
    contracted VARCHAR NOT NULL,         -- yes | no | unknown
    realised VARCHAR NOT NULL,           -- yes | partly | no | unknown
    note VARCHAR NOT NULL,
    co2_effect VARCHAR NOT NULL,         -- none | small | large
    materials_effect VARCHAR NOT NULL,   -- none | small | large
    knowledge VARCHAR NOT NULL,          -- estimate | measured
    co2_estimate_id INTEGER,
    good_example BOOLEAN NOT NULL,       -- the organisation lets others find it as an example
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);
CREATE TABLE tender_realisation_revisions (
    tender_id INTEGER NOT NULL,
    revision_no INTEGER NOT NULL,
    based_on INTEGER,
    organisation_id INTEGER,
    contracted VARCHAR NOT NULL,
    realised VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    co2_effect VARCHAR NOT NULL,
    materials_effect VARCHAR NOT NULL,
    knowledge VARCHAR NOT NULL,
    co2_estimate_id INTEGER,
    good_example BOOLEAN NOT NULL,
    author_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tender_id, revision_no)
);

-- Ambitions: an organisation's action plan for a year (the head, versioned) and per MVI
-- theme its ambition level with optional targets (shares in %, 0-100).
CREATE SEQUENCE action_plans_id_seq;
CREATE TABLE action_plans (
    id INTEGER PRIMARY KEY DEFAULT nextval('action_plans_id_seq'),
    organisation_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);
CREATE UNIQUE INDEX action_plans_key ON action_plans (organisation_id, year);
CREATE TABLE organisation_ambitions (
    organisation_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    theme VARCHAR NOT NULL,
    ambition_level VARCHAR NOT NULL,     -- basis | significant | ambitious
    target_tender_share DOUBLE PRECISION,
    target_spend_share DOUBLE PRECISION,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    PRIMARY KEY (organisation_id, year, theme)
);
