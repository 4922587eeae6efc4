-- The procedure index's words, one row per word with the procedures it is in, packed, as
-- SQLite's migration 0018 makes them: read at start in a few thousand rows instead of one
-- per word and procedure (1.5 million for a catalogue of 10,000 procedures: more than a
-- second to read from the server, and as many pages pushed out of its cache). `postings`:
-- the procedures in id order, each as (its id minus the previous one's) × 16 + the columns
-- the word is in, in decimal, separated by spaces. Words sort as bytes ("C"), as the
-- console's in-memory index does.
DROP TABLE procedure_words;

CREATE TABLE procedure_terms (
    term      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    postings  TEXT NOT NULL
);

-- Forget the fingerprint: the next start fills the new table.
DELETE FROM catalog_state;
