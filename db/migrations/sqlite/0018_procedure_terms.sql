-- The procedure index's words, one row per word with the procedures it is in, packed:
-- read at start in a few thousand rows instead of one per word and procedure (1.5 million
-- for a catalogue of 10,000 procedures: a third of a second on SQLite, more than a second
-- on a server, before the console can search its procedures). `postings` is the list of
-- the procedures, in id order, each as (its id minus the previous one's) × 16 + the
-- columns the word is in (1 title, 2 keywords, 4 summary, 8 steps), in decimal, separated
-- by spaces (store/procedures.rs writes and reads it, the same on both engines).
DROP TABLE procedure_words;

CREATE TABLE procedure_terms (
    term      TEXT NOT NULL PRIMARY KEY,
    postings  TEXT NOT NULL
) WITHOUT ROWID;

-- Forget the fingerprint: the next start fills the new table.
DELETE FROM catalog_state;
