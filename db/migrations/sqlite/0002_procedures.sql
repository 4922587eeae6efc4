-- The procedure catalogue's search index. It is derived data: rebuilt from the catalogue
-- files whenever their fingerprint changes.

CREATE TABLE procedures (
    id        INTEGER PRIMARY KEY,
    slug      TEXT NOT NULL UNIQUE,
    title     TEXT NOT NULL,
    -- ' mi acn-caen ' (spaces around each slug, for instr()) or '*' for all.
    services  TEXT NOT NULL,
    devices   TEXT NOT NULL
);

-- Contentless: the text lives in the catalogue files; the index only ranks.
CREATE VIRTUAL TABLE procedure_fts USING fts5 (
    title, keywords, summary, body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE VIRTUAL TABLE procedure_terms USING fts5vocab (procedure_fts, 'row');

CREATE TABLE catalog_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);
