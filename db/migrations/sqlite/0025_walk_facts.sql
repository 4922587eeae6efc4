-- What `report procedures` reads of each walk, in one row (issue 24: the report over
-- 1,000,000 calls in under a second): the walk's procedure and version, its call's opening,
-- service and number (never changed, 0016), how the walk ended (0 not ended, 1 completed,
-- 2 escalated), its last « résolu ? » answer, the opening of the next call from the same
-- number (as call_returns, 0024), and what its call became (closed, outcome, handling time
-- in seconds). The report read these with three look-ups per walk (its end, its last
-- answer, its next call) and a join to its call; it now reads this table alone, by the
-- openings of the window.
--
-- Derived, never written by guichet itself: kept by the triggers below in the transaction
-- of the row that changes it, whatever order the rows come in (a walk written after its
-- end or its answers, as a copy may, reads them; a call back or a call closed after the
-- walk updates it; an answer counts only if no later one is stored). The walks themselves
-- stay append-only (0021). Filled for the rows already stored right after this SQL
-- (store/report_totals.rs, count_walk_facts), as after a copy, which lifts these triggers.

CREATE TABLE walk_facts (
    walk_id    INTEGER PRIMARY KEY REFERENCES walks (id),
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    opened_at  INTEGER NOT NULL,
    service    TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    version    TEXT NOT NULL,
    has_number INTEGER NOT NULL,
    ended      INTEGER NOT NULL,
    solved     INTEGER,
    next_at    INTEGER,
    closed     INTEGER NOT NULL,
    outcome    TEXT,
    handling   INTEGER
);
CREATE INDEX walk_facts_by_time ON walk_facts (opened_at);
CREATE INDEX walk_facts_by_call ON walk_facts (call_id);

CREATE TRIGGER walks_fact AFTER INSERT ON walks
BEGIN
    INSERT INTO walk_facts (walk_id, call_id, opened_at, service, procedure, version,
                            has_number, ended, solved, next_at, closed, outcome, handling)
    SELECT NEW.id, c.id, c.opened_at, c.service, NEW.procedure, NEW.version,
           c.caller_phone IS NOT NULL,
           coalesce((SELECT CASE e.state WHEN 'escalated' THEN 2 ELSE 1 END
                     FROM walk_ends e WHERE e.walk_id = NEW.id), 0),
           (SELECT a.solved FROM walk_answers a WHERE a.walk_id = NEW.id
            ORDER BY a.id DESC LIMIT 1),
           (SELECT r.next_at FROM call_returns r WHERE r.call_id = c.id),
           c.status = 'closed', c.outcome, c.closed_at - c.opened_at
    FROM calls c WHERE c.id = NEW.call_id;
END;

CREATE TRIGGER walk_ends_fact AFTER INSERT ON walk_ends
BEGIN
    UPDATE walk_facts SET ended = CASE NEW.state WHEN 'escalated' THEN 2 ELSE 1 END
    WHERE walk_id = NEW.walk_id;
END;

CREATE TRIGGER walk_answers_fact AFTER INSERT ON walk_answers
BEGIN
    UPDATE walk_facts SET solved = NEW.solved
    WHERE walk_id = NEW.walk_id
      AND NOT EXISTS (SELECT 1 FROM walk_answers a WHERE a.walk_id = NEW.walk_id AND a.id > NEW.id);
END;

CREATE TRIGGER call_returns_fact AFTER INSERT ON call_returns
BEGIN
    UPDATE walk_facts SET next_at = NEW.next_at WHERE call_id = NEW.call_id;
END;

CREATE TRIGGER call_returns_fact_changed AFTER UPDATE OF next_at ON call_returns
BEGIN
    UPDATE walk_facts SET next_at = NEW.next_at WHERE call_id = NEW.call_id;
END;

CREATE TRIGGER calls_fact AFTER UPDATE OF status, outcome, closed_at ON calls
BEGIN
    UPDATE walk_facts SET closed = NEW.status = 'closed', outcome = NEW.outcome,
                          handling = NEW.closed_at - NEW.opened_at
    WHERE call_id = NEW.id;
END;
