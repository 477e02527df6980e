-- PostgreSQL variant of 0005_search.sql: lists default to '{}'; a vector is BYTEA holding
-- its float32 values (little-endian), read back by buyergroups.db.vectors.
-- 0005: similarity search. One row per indexed passage (criteria, dialogue
-- takeaways and tenders have passage 0; documents 1..n). model_id records the
-- model that made the vector, so a model change re-indexes instead of mixing
-- vector spaces. group_id is NULL for tenders (public to signed-in users).
CREATE TABLE search_items (
    item_kind VARCHAR NOT NULL,
    item_id INTEGER NOT NULL,
    passage_no INTEGER NOT NULL,
    group_id INTEGER,
    visibility VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    heading VARCHAR NOT NULL DEFAULT '',
    text VARCHAR NOT NULL,
    text_hash VARCHAR NOT NULL,
    language VARCHAR NOT NULL DEFAULT '',
    countries VARCHAR[] NOT NULL DEFAULT '{}',
    themes VARCHAR[] NOT NULL DEFAULT '{}',
    ambition_level VARCHAR NOT NULL DEFAULT '',
    criterion_type VARCHAR NOT NULL DEFAULT '',
    cpv_codes VARCHAR[] NOT NULL DEFAULT '{}',
    concept_codes VARCHAR[] NOT NULL DEFAULT '{}',
    item_date DATE,
    model_id VARCHAR NOT NULL,
    vector BYTEA NOT NULL,
    indexed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (item_kind, item_id, passage_no)
);

-- Every item the indexer touched (changed or removed), so an in-memory index
-- in another session can catch up by reloading only those items.
CREATE SEQUENCE search_changes_id_seq;
CREATE TABLE search_changes (
    id BIGINT PRIMARY KEY DEFAULT nextval('search_changes_id_seq'),
    item_kind VARCHAR NOT NULL,
    item_id INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
