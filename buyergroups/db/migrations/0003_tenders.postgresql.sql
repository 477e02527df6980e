-- PostgreSQL variant of 0003_tenders.sql: lists default to '{}', DOUBLE is DOUBLE PRECISION.
-- 0003: imported tenders (eForms, OCDS, CSV), their lots and award criteria,
-- links to buyer groups, and the CPV code list. Tenders are public data.
-- One row per (source, source_id); re-importing updates the row, and an
-- eForms change notice updates the row of the notice it changes.

CREATE SEQUENCE tenders_id_seq;
CREATE TABLE tenders (
    id INTEGER PRIMARY KEY DEFAULT nextval('tenders_id_seq'),
    source VARCHAR NOT NULL,                -- eforms | ocds | csv
    source_id VARCHAR NOT NULL,             -- eForms notice id, OCDS ocid, CSV id
    last_notice_id VARCHAR,                 -- the notice that last set this row
    contract_folder_id VARCHAR,
    notice_type VARCHAR,
    notice_subtype VARCHAR,
    published_on DATE,
    language VARCHAR,
    languages VARCHAR[] NOT NULL DEFAULT '{}',
    title VARCHAR NOT NULL,
    titles JSON,                            -- {language: title} for every language given
    description VARCHAR NOT NULL DEFAULT '',
    buyer_name VARCHAR,
    buyer_country VARCHAR(2),
    buyers JSON,                            -- [{name, country}]
    cpv_codes VARCHAR[] NOT NULL DEFAULT '{}',  -- 8 digits, main first
    procedure_type VARCHAR,
    estimated_value DOUBLE PRECISION,
    currency VARCHAR,
    lot_count INTEGER NOT NULL DEFAULT 0,
    strategic_procurement VARCHAR[] NOT NULL DEFAULT '{}',   -- BT-06
    environmental_impact VARCHAR[] NOT NULL DEFAULT '{}',    -- BT-774
    social_objective VARCHAR[] NOT NULL DEFAULT '{}',        -- BT-775
    innovative_acquisition VARCHAR[] NOT NULL DEFAULT '{}',  -- BT-776
    gpp_criteria VARCHAR[] NOT NULL DEFAULT '{}',            -- BT-805
    mvi BOOLEAN NOT NULL DEFAULT false,
    mvi_themes VARCHAR[] NOT NULL DEFAULT '{}',
    mvi_evidence JSON,                      -- [{theme, kind, field, evidence}]
    raw_release JSON,                       -- OCDS: the merged release (to merge later releases)
    raw_hash VARCHAR NOT NULL,              -- sha256 of the imported file
    imported_at TIMESTAMP NOT NULL,
    imported_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);
CREATE UNIQUE INDEX tenders_source_id ON tenders (source, source_id);

CREATE TABLE tender_lots (
    tender_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    lot_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL DEFAULT '',
    description VARCHAR NOT NULL DEFAULT '',
    cpv_codes VARCHAR[] NOT NULL DEFAULT '{}',
    estimated_value DOUBLE PRECISION,
    currency VARCHAR,
    conditions VARCHAR[] NOT NULL DEFAULT '{}'  -- contract performance conditions (BT-70)
);

CREATE TABLE tender_award_criteria (
    tender_id INTEGER NOT NULL,
    lot_position INTEGER NOT NULL,
    position INTEGER NOT NULL,
    lot_id VARCHAR NOT NULL,
    criterion_type VARCHAR NOT NULL DEFAULT '',  -- price | cost | quality
    name VARCHAR NOT NULL DEFAULT '',
    description VARCHAR NOT NULL DEFAULT '',
    weight DOUBLE PRECISION
);

-- A member's tender that implements the group's joint criteria.
CREATE TABLE tender_groups (
    tender_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    linked_by INTEGER,
    linked_at TIMESTAMP NOT NULL,
    note VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (tender_id, group_id)
);

CREATE TABLE cpv_codes (
    code VARCHAR PRIMARY KEY,               -- 8 digits, or e.g. AA01 (supplementary)
    check_digit VARCHAR,
    kind VARCHAR NOT NULL,                  -- main | supplementary
    labels JSON NOT NULL,                   -- {language: label}
    label_en VARCHAR,
    division VARCHAR,
    level INTEGER,
    parent_code VARCHAR,
    imported_at TIMESTAMP NOT NULL
);
