-- The procedure index's words, cut and weighed by guichet itself rather than by FTS5: the
-- same rule builds the index on SQLite and on PostgreSQL, so that a search ranks the same
-- on both. One row per word and procedure, with the columns it is in (1 title,
-- 2 keywords, 4 summary, 8 steps); read in word order at start.
DROP TABLE procedure_postings;
DROP TABLE procedure_terms;
DROP TABLE procedure_fts;

CREATE TABLE procedure_words (
    term      TEXT NOT NULL,
    procedure INTEGER NOT NULL,
    columns   INTEGER NOT NULL,
    PRIMARY KEY (term, procedure)
) WITHOUT ROWID;

-- Forget the fingerprint: the next start fills the new table.
DELETE FROM catalog_state;
