-- 0001 for PostgreSQL: the same tables as 0001_init.sql (lists as VARCHAR[] arrays
-- defaulting to '{}', DOUBLE PRECISION for DOUBLE), and the few DuckDB names the
-- package's SQL uses, defined once here so that domain SQL stays one text:
-- a "double" domain (casts such as ?::DOUBLE[]), list_contains, list_sort,
-- list_distinct, len on arrays and text, contains, isfinite, the aggregates any_value
-- and list, and round(double, int).

CREATE DOMAIN double AS DOUBLE PRECISION;

CREATE FUNCTION list_contains(list anyarray, item anyelement) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT item = ANY(list)';
CREATE FUNCTION list_sort(list anyarray) RETURNS anyarray
    LANGUAGE sql IMMUTABLE AS 'SELECT coalesce(array_agg(x ORDER BY x), list[0:-1]) FROM unnest(list) AS x';
CREATE FUNCTION list_distinct(list anyarray) RETURNS anyarray
    LANGUAGE sql IMMUTABLE AS
    'SELECT coalesce(array_agg(DISTINCT x), list[0:-1]) FROM unnest(list) AS x WHERE x IS NOT NULL';
CREATE FUNCTION len(list anyarray) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT cardinality(list)';
CREATE FUNCTION len(value text) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT length(value)';
CREATE FUNCTION contains(value text, part text) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT strpos(value, part) > 0';
CREATE FUNCTION round(value double precision, digits integer) RETURNS double precision
    LANGUAGE sql IMMUTABLE AS 'SELECT round(value::numeric, digits)::double precision';
CREATE FUNCTION any_value_step(kept anyelement, next anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE AS 'SELECT coalesce(kept, next)';
CREATE AGGREGATE any_value(anyelement) (SFUNC = any_value_step, STYPE = anyelement);
CREATE AGGREGATE list(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray);
CREATE FUNCTION isfinite(value double precision) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT value NOT IN (''NaN'', ''Infinity'', ''-Infinity'')';

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE organisations_id_seq;
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY DEFAULT nextval('organisations_id_seq'),
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    country VARCHAR(2) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER
);
CREATE UNIQUE INDEX organisations_name_country ON organisations (lower(name), country);

CREATE SEQUENCE users_id_seq;
CREATE TABLE users (
    id INTEGER PRIMARY KEY DEFAULT nextval('users_id_seq'),
    name VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    organisation_id INTEGER,
    language VARCHAR(2) NOT NULL DEFAULT 'en',
    password_hash VARCHAR,
    is_admin BOOLEAN NOT NULL DEFAULT false,
    disabled BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE SEQUENCE buyer_groups_id_seq;
CREATE TABLE buyer_groups (
    id INTEGER PRIMARY KEY DEFAULT nextval('buyer_groups_id_seq'),
    name VARCHAR NOT NULL,
    sector VARCHAR NOT NULL,
    programme VARCHAR NOT NULL,
    countries VARCHAR[] NOT NULL DEFAULT '{}',
    themes VARCHAR[] NOT NULL DEFAULT '{}',
    phase VARCHAR NOT NULL,
    description VARCHAR NOT NULL DEFAULT '',
    cpv_codes VARCHAR[] NOT NULL DEFAULT '{}',
    co2_target_t DOUBLE PRECISION,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    deleted_at TIMESTAMP,
    deleted_by INTEGER
);
CREATE UNIQUE INDEX buyer_groups_name ON buyer_groups (lower(name));

-- Organisations taking part in a group, with their role in the group's work.
CREATE TABLE memberships (
    group_id INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    added_by INTEGER,
    PRIMARY KEY (group_id, organisation_id)
);

-- Users' access to a group's workspace (facilitator, member, observer).
CREATE TABLE group_users (
    group_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    added_by INTEGER,
    PRIMARY KEY (group_id, user_id)
);

-- Documents: market vision, specifications, dialogue notes, joint statements.
CREATE SEQUENCE documents_id_seq;
CREATE TABLE documents (
    id INTEGER PRIMARY KEY DEFAULT nextval('documents_id_seq'),
    group_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL DEFAULT '',
    language VARCHAR(2) NOT NULL,
    themes VARCHAR[] NOT NULL DEFAULT '{}',
    cpv_codes VARCHAR[] NOT NULL DEFAULT '{}',
    status VARCHAR NOT NULL DEFAULT 'draft',
    visibility VARCHAR NOT NULL DEFAULT 'group',
    current_revision INTEGER NOT NULL DEFAULT 0,
    derived_from INTEGER,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    deleted_at TIMESTAMP,
    deleted_by INTEGER
);

-- Every save is a new immutable revision; revision_no counts from 1 per item.
-- A revision keeps the title, the Markdown body and the other editable fields as JSON.
CREATE TABLE document_revisions (
    document_id INTEGER NOT NULL,
    revision_no INTEGER NOT NULL,
    based_on INTEGER,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    fields JSON NOT NULL,
    summary VARCHAR NOT NULL DEFAULT '',
    author_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (document_id, revision_no)
);

CREATE SEQUENCE criteria_id_seq;
CREATE TABLE criteria (
    id INTEGER PRIMARY KEY DEFAULT nextval('criteria_id_seq'),
    group_id INTEGER NOT NULL,
    criterion_type VARCHAR NOT NULL,
    theme VARCHAR NOT NULL,
    ambition_level VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL DEFAULT '',
    weight DOUBLE PRECISION,
    scoring_method VARCHAR NOT NULL DEFAULT '',
    verification_proof VARCHAR NOT NULL DEFAULT '',
    verification_moment VARCHAR NOT NULL DEFAULT '',
    language VARCHAR(2) NOT NULL DEFAULT 'en',
    cpv_codes VARCHAR[] NOT NULL DEFAULT '{}',
    status VARCHAR NOT NULL DEFAULT 'draft',
    visibility VARCHAR NOT NULL DEFAULT 'group',
    current_revision INTEGER NOT NULL DEFAULT 0,
    derived_from INTEGER,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    deleted_at TIMESTAMP,
    deleted_by INTEGER
);

CREATE TABLE criterion_revisions (
    criterion_id INTEGER NOT NULL,
    revision_no INTEGER NOT NULL,
    based_on INTEGER,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    fields JSON NOT NULL,
    summary VARCHAR NOT NULL DEFAULT '',
    author_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (criterion_id, revision_no)
);

CREATE SEQUENCE dialogue_events_id_seq;
CREATE TABLE dialogue_events (
    id INTEGER PRIMARY KEY DEFAULT nextval('dialogue_events_id_seq'),
    group_id INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    held_on DATE NOT NULL,
    participants VARCHAR[] NOT NULL DEFAULT '{}',
    notes VARCHAR NOT NULL DEFAULT '',
    takeaways VARCHAR NOT NULL DEFAULT '',
    language VARCHAR(2) NOT NULL DEFAULT 'en',
    visibility VARCHAR NOT NULL DEFAULT 'group',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER,
    deleted_at TIMESTAMP,
    deleted_by INTEGER
);

CREATE SEQUENCE comments_id_seq;
CREATE TABLE comments (
    id INTEGER PRIMARY KEY DEFAULT nextval('comments_id_seq'),
    item_kind VARCHAR NOT NULL,
    item_id INTEGER NOT NULL,
    author_id INTEGER,
    body VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by INTEGER
);

-- Append-only log of every change: who, what, when.
CREATE SEQUENCE activity_id_seq;
CREATE TABLE activity (
    id BIGINT PRIMARY KEY DEFAULT nextval('activity_id_seq'),
    occurred_at TIMESTAMP NOT NULL,
    user_id INTEGER,
    group_id INTEGER,
    action VARCHAR NOT NULL,
    item_kind VARCHAR NOT NULL,
    item_id INTEGER,
    summary VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX activity_group ON activity (group_id);
