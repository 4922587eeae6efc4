-- GLPI hand-off, exactly once on a real network (issue 22).
--
-- The desk's own mark in GLPI: every ticket guichet creates is named `[guichet <desk>
-- A-0042] …`, so that two desks sharing one GLPI (both have an A-0042) never take each
-- other's ticket for their own. Made once, here, and kept: `db copy` carries it with the
-- desk.
CREATE TABLE desk_identity (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    marker TEXT NOT NULL
);
INSERT INTO desk_identity (id, marker) VALUES (1, lower(hex(randomblob(6))));

-- A push whose creating request may have reached GLPI without its answer reaching guichet
-- (a time limit, a connection cut, a kill) is « en doute »: written before the request,
-- the time (unix seconds) from which a search in GLPI can see what that request did.
-- Nothing is created again for the push until a search made at or after it has looked.
-- NULL: no such request.
ALTER TABLE glpi_outbox ADD COLUMN doubt_after INTEGER;

-- Pushes tried before this version may have reached GLPI: looked up before anything is
-- sent again.
UPDATE glpi_outbox SET doubt_after = 0 WHERE state <> 'sent' AND attempts > 0;
