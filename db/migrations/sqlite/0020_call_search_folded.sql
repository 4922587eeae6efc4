-- The call search folds by the project's one rule (issue 23): SQLite indexed the raw
-- summary with its own folding, which leaves œ, æ and ß as they are, so a summary saying
-- « mise en œuvre…, cœur » was found by none of œuvre, oeuvre, cœur, coeur (the query's
-- words are folded by guichet). The folded text is now written with each call, as on
-- PostgreSQL (`search_text`: the folded name, the phone's digits, the folded summary), and
-- the index takes it. The calls already stored get theirs in the same transaction, from
-- guichet itself (migrations.rs: the step after this file), and are indexed again.
ALTER TABLE calls ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

DROP TRIGGER calls_search_insert;

CREATE TRIGGER calls_search_insert AFTER INSERT ON calls
BEGIN
    INSERT INTO call_search (rowid, text)
    VALUES (new.id, new.search_text || ' a-' || printf('%04d', new.id));
END;

INSERT INTO call_search (call_search) VALUES ('delete-all');
