-- What `report procedures` reads of each walk, in one row, as SQLite's migration 0025: the
-- walk's procedure and version, its call's opening, service and number (never changed,
-- 0005), how the walk ended (0 not ended, 1 completed, 2 escalated), its last « résolu ? »
-- answer, the opening of the next call from the same number (as call_returns, 0013), and
-- what its call became (closed, outcome, handling time in seconds). The report joined the
-- walks to their calls, ends, answers and next calls (hash joins over the whole desk); it
-- now reads this table alone, by the openings of the window.
--
-- Derived: kept by the triggers below in the transaction of the row that changes it,
-- whatever order the rows come in. Their functions run as the schema's owner (SECURITY
-- DEFINER), as 0012's and 0013's: a console role only reads the table
-- (db/postgres/console-role.sql), the walks stay append-only (0010). A walk is written
-- under its call's lock (store/rows.rs, locked_call), as its end, its answers and the
-- call's closing are; its next call is read under the lock of its number, the one 0013's
-- trigger takes to write the next calls: a call from the same number written at the same
-- time is seen by one or the other. Filled for the rows already stored right after this
-- SQL (store/report_totals.rs, count_walk_facts), as after a copy, which lifts these
-- triggers.

CREATE TABLE walk_facts (
    walk_id    BIGINT PRIMARY KEY REFERENCES walks (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    opened_at  BIGINT NOT NULL,
    service    TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    version    TEXT NOT NULL,
    has_number BIGINT NOT NULL,
    ended      BIGINT NOT NULL,
    solved     BIGINT,
    next_at    BIGINT,
    closed     BIGINT NOT NULL,
    outcome    TEXT,
    handling   BIGINT
);
CREATE INDEX walk_facts_by_time ON walk_facts (opened_at);
CREATE INDEX walk_facts_by_call ON walk_facts (call_id);

CREATE FUNCTION guichet_walk_fact() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    phone TEXT;
BEGIN
    SELECT c.caller_phone INTO phone FROM calls c WHERE c.id = NEW.call_id;
    IF phone IS NOT NULL THEN
        -- 0013's lock of the number: its next call is not being written meanwhile.
        PERFORM pg_advisory_xact_lock(746865723, hashtext(phone));
    END IF;
    INSERT INTO walk_facts (walk_id, call_id, opened_at, service, procedure, version,
                            has_number, ended, solved, next_at, closed, outcome, handling)
    SELECT NEW.id, c.id, c.opened_at, c.service, NEW.procedure, NEW.version,
           CASE WHEN c.caller_phone IS NULL THEN 0 ELSE 1 END,
           coalesce((SELECT CASE e.state WHEN 'escalated' THEN 2 ELSE 1 END
                     FROM walk_ends e WHERE e.walk_id = NEW.id), 0),
           (SELECT a.solved FROM walk_answers a WHERE a.walk_id = NEW.id
            ORDER BY a.id DESC LIMIT 1),
           (SELECT r.next_at FROM call_returns r WHERE r.call_id = c.id),
           CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.outcome,
           c.closed_at - c.opened_at
    FROM calls c WHERE c.id = NEW.call_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_walk_end_fact() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE walk_facts SET ended = CASE NEW.state WHEN 'escalated' THEN 2 ELSE 1 END
    WHERE walk_id = NEW.walk_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_walk_answer_fact() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE walk_facts SET solved = NEW.solved
    WHERE walk_id = NEW.walk_id
      AND NOT EXISTS (SELECT 1 FROM walk_answers a WHERE a.walk_id = NEW.walk_id AND a.id > NEW.id);
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_return_fact() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE walk_facts SET next_at = NEW.next_at WHERE call_id = NEW.call_id;
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_call_fact() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE walk_facts SET closed = CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END,
                          outcome = NEW.outcome, handling = NEW.closed_at - NEW.opened_at
    WHERE call_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER walks_fact AFTER INSERT ON walks
FOR EACH ROW EXECUTE FUNCTION guichet_walk_fact();
CREATE TRIGGER walk_ends_fact AFTER INSERT ON walk_ends
FOR EACH ROW EXECUTE FUNCTION guichet_walk_end_fact();
CREATE TRIGGER walk_answers_fact AFTER INSERT ON walk_answers
FOR EACH ROW EXECUTE FUNCTION guichet_walk_answer_fact();
CREATE TRIGGER call_returns_fact AFTER INSERT OR UPDATE OF next_at ON call_returns
FOR EACH ROW EXECUTE FUNCTION guichet_return_fact();
CREATE TRIGGER calls_fact AFTER UPDATE OF status, outcome, closed_at ON calls
FOR EACH ROW EXECUTE FUNCTION guichet_call_fact();
