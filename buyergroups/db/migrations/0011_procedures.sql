-- 0011: procedures and award results; contracting authorities as organisations.
-- One file for both engines (DOUBLE PRECISION, not DOUBLE, which PostgreSQL lacks).
--
-- A tenders row is now ONE PROCUREMENT (procedure): the notices of one procedure
-- (eForms BT-04 ContractFolderID, OCDS ocid, CSV procedure_id or source_id) are its
-- life cycle in tender_notices, and its id stays stable while they arrive. Award
-- results (from contract award notices, OCDS awards/contracts/bids) are composed
-- per lot into tender_lot_results and tender_winners. Buyers are matched to
-- organisations (buyer_org_id; NULL = not matched yet).

ALTER TABLE organisations ADD COLUMN org_type VARCHAR;   -- central_government | province |
                                                         -- municipality | water_authority |
                                                         -- other_public | private; NULL = unknown
ALTER TABLE organisations ADD COLUMN national_id VARCHAR; -- national registration number (BT-501)

-- Where the kind says it plainly; the others stay unknown for an admin to set.
UPDATE organisations SET org_type = CASE kind
    WHEN 'municipality' THEN 'municipality'
    WHEN 'province' THEN 'province'
    WHEN 'water_authority' THEN 'water_authority'
    WHEN 'ministry' THEN 'central_government'
    WHEN 'company' THEN 'private'
    ELSE NULL END;

ALTER TABLE tenders ADD COLUMN procedure_id VARCHAR;
ALTER TABLE tenders ADD COLUMN buyer_org_id INTEGER;
ALTER TABLE tenders ADD COLUMN buyer_national_id VARCHAR;
ALTER TABLE tenders ADD COLUMN awarded_value DOUBLE PRECISION; -- the awarded lots' values
ALTER TABLE tenders ADD COLUMN awarded_currency VARCHAR;
ALTER TABLE tenders ADD COLUMN notice_total_value DOUBLE PRECISION; -- BT-161, current notices
ALTER TABLE tenders ADD COLUMN notice_total_currency VARCHAR;
ALTER TABLE tenders ADD COLUMN tenders_received INTEGER;  -- sum over lots; NULL when no lot says
ALTER TABLE tenders ADD COLUMN lots_awarded INTEGER;
ALTER TABLE tenders ADD COLUMN awarded_on DATE;

-- Every notice that made up a procurement. results holds the notice's own award
-- results as JSON text (eForms, CSV) so that later notices can be composed with it in
-- any order; NULL for a notice without results and for OCDS (its merged release is kept).
-- Text, not JSON: only the package reads it, whole.
CREATE TABLE tender_notices (
    tender_id INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    notice_id VARCHAR NOT NULL,          -- eForms notice id, OCDS release id, CSV source_id
    notice_type VARCHAR,                 -- eForms BT-02 (pin-only, cn-standard, can-standard, ...);
                                         -- OCDS the release tags
    notice_subtype VARCHAR,
    published_on DATE,
    changes_notice_id VARCHAR,           -- the notice this one changes (efbc:ChangedNoticeIdentifier)
    buyer_national_id VARCHAR,           -- the notice's buyer's BT-501: a procedure's other
                                         -- notices lend it when the describing one has none
    results VARCHAR,
    imported_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tender_notices_key ON tender_notices (source, notice_id);
CREATE INDEX tender_notices_tender ON tender_notices (tender_id);

CREATE TABLE tender_lot_results (
    tender_id INTEGER NOT NULL,
    lot_id VARCHAR NOT NULL,
    result_code VARCHAR,                 -- selec-w | clos-nw | open-nw | pending | cancelled
    awarded_value DOUBLE PRECISION,      -- the winning tenders' value (BT-720), summed
    currency VARCHAR,
    tenders_received INTEGER             -- BT-759 'tenders'; NULL when not stated
);
CREATE INDEX tender_lot_results_tender ON tender_lot_results (tender_id);

CREATE TABLE tender_winners (
    tender_id INTEGER NOT NULL,
    lot_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    country VARCHAR,
    org_identifier VARCHAR,
    sme BOOLEAN
);
CREATE INDEX tender_winners_tender ON tender_winners (tender_id);

-- An admin's decision that a buyer name (normalised) in a country is this organisation,
-- so later notices of that buyer match it too.
CREATE TABLE buyer_aliases (
    name_key VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    organisation_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    PRIMARY KEY (name_key, country)
);

-- One procurement per procedure. Made before any row changes (DuckDB builds no index on
-- a table with changes outstanding in the transaction); every procedure_id is NULL now.
CREATE UNIQUE INDEX tenders_procedure ON tenders (source, procedure_id);

-- Existing rows: the procedure is the contract folder (eForms) or the source id (OCDS
-- ocid, CSV id). Rows of one procedure stored apart before this migration become one
-- procurement: the row whose notice describes it best (contract notice, then award
-- notice, then prior information; the latest) keeps its id, links and CO2 estimates of
-- the others move to it, and their notices join its life cycle. Award results of notices
-- stored before this migration were never read: import those award notices again.
CREATE TABLE tender_merge (old_id INTEGER NOT NULL, keeper_id INTEGER NOT NULL);
INSERT INTO tender_merge
SELECT id, first_value(id) OVER (
    PARTITION BY source,
        CASE WHEN source = 'eforms' THEN coalesce(contract_folder_id, source_id) ELSE source_id END
    ORDER BY CASE
        WHEN notice_type LIKE 'cn%' OR notice_type LIKE 'pin-cfc%' OR notice_type IN ('qu-sy', 'subco')
            THEN 3
        WHEN notice_type LIKE 'can%' OR notice_type = 'veat' THEN 2
        WHEN notice_type LIKE 'pin%' THEN 1
        ELSE 0 END DESC,
        published_on DESC NULLS LAST, id)
FROM tenders;

-- The life cycle so far: the notice each row came from and, where a change notice
-- set the row, that change notice too.
INSERT INTO tender_notices (tender_id, source, notice_id, notice_type, notice_subtype,
                            published_on, changes_notice_id, imported_at)
SELECT m.keeper_id, t.source, t.source_id, t.notice_type, t.notice_subtype,
       CASE WHEN t.last_notice_id IS NULL OR t.last_notice_id = t.source_id
            THEN t.published_on ELSE NULL END,
       NULL, t.imported_at
FROM tenders t JOIN tender_merge m ON m.old_id = t.id;
INSERT INTO tender_notices (tender_id, source, notice_id, notice_type, notice_subtype,
                            published_on, changes_notice_id, imported_at)
SELECT m.keeper_id, t.source, t.last_notice_id, t.notice_type, t.notice_subtype,
       t.published_on, t.source_id, t.updated_at
FROM tenders t JOIN tender_merge m ON m.old_id = t.id
WHERE t.source = 'eforms' AND t.last_notice_id IS NOT NULL AND t.last_notice_id <> t.source_id;

INSERT INTO tender_groups (tender_id, group_id, linked_by, linked_at, note)
SELECT m.keeper_id, g.group_id, g.linked_by, g.linked_at, g.note
FROM tender_groups g JOIN tender_merge m ON m.old_id = g.tender_id
WHERE m.old_id <> m.keeper_id
ON CONFLICT DO NOTHING;
DELETE FROM tender_groups
WHERE tender_id IN (SELECT old_id FROM tender_merge WHERE old_id <> keeper_id);
UPDATE co2_estimates SET tender_id = (
    SELECT keeper_id FROM tender_merge WHERE old_id = co2_estimates.tender_id)
WHERE tender_id IN (SELECT old_id FROM tender_merge WHERE old_id <> keeper_id);
INSERT INTO search_changes (item_kind, item_id, changed_at)
SELECT 'tender', m.old_id, t.updated_at
FROM tender_merge m JOIN tenders t ON t.id = m.old_id WHERE m.old_id <> m.keeper_id;
DELETE FROM search_items WHERE item_kind = 'tender'
    AND item_id IN (SELECT old_id FROM tender_merge WHERE old_id <> keeper_id);
DELETE FROM tender_lots
WHERE tender_id IN (SELECT old_id FROM tender_merge WHERE old_id <> keeper_id);
DELETE FROM tender_award_criteria
WHERE tender_id IN (SELECT old_id FROM tender_merge WHERE old_id <> keeper_id);
DELETE FROM tenders WHERE id IN (SELECT old_id FROM tender_merge WHERE old_id <> keeper_id);
DROP TABLE tender_merge;

UPDATE tenders SET procedure_id = CASE
    WHEN source = 'eforms' THEN coalesce(contract_folder_id, source_id)
    ELSE source_id END;
