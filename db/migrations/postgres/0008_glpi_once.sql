-- GLPI hand-off, exactly once on a real network, as SQLite's migration 0019: the desk's
-- own mark in GLPI (made once, carried by `db copy`), and the time from which a push whose
-- answer was lost can be looked up in GLPI (« en doute »).
CREATE TABLE desk_identity (
    id     BIGINT PRIMARY KEY CHECK (id = 1),
    marker TEXT NOT NULL
);
INSERT INTO desk_identity (id, marker)
    VALUES (1, substr(md5(random()::text || clock_timestamp()::text), 1, 12));

ALTER TABLE glpi_outbox ADD COLUMN doubt_after BIGINT;

UPDATE glpi_outbox SET doubt_after = 0 WHERE state <> 'sent' AND attempts > 0;
