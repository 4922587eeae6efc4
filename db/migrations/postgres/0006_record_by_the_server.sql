-- The server keeps the record (issue 21), as SQLite does as far as a file can (migration
-- 0017). Every line of the journal is dated by the server's own clock and signed with the
-- login role of the session that wrote it, whatever the client sends: a client that gives
-- another time (beyond the clocks' tolerance) or another role is refused. A name that is
-- a login role is written only by that role: a desk that gives each operator a login role
-- of his own name has the server vouch for the name on every line. A call is not opened
-- or closed in the server's future, nor closed before it was opened, and it changes only
-- with a line of its journal.
-- The tolerance, 300 s, is the one `db check` applies (src/store/record.rs).

-- The server's clock, in the Unix seconds the store keeps: the start of the statement,
-- so that the lines of one statement share it and a line written after a wait for a
-- call's lock is dated after the wait.
CREATE FUNCTION guichet_now() RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT floor(extract(epoch FROM statement_timestamp()))::bigint
$$;

-- Whether `name` is a login role other than the session's: nobody else writes in its name.
CREATE FUNCTION guichet_names_another_role(name TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT name IS DISTINCT FROM session_user::text
       AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name AND rolcanlogin)
$$;

-- Who wrote the line: the session's login role, set by the server (NULL on the lines
-- written before this migration and on those a copy brought from SQLite, which knows no
-- role: record_rules says from which line on every line has one).
ALTER TABLE journal ADD COLUMN session_role TEXT;
ALTER TABLE journal ALTER COLUMN at SET DEFAULT guichet_now();

CREATE FUNCTION guichet_journal_by_the_server() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_s BIGINT := guichet_now();
BEGIN
    IF NEW.at IS NOT NULL AND abs(NEW.at - now_s) > 300 THEN
        RAISE EXCEPTION 'une ligne du journal est datée par l''horloge du serveur (%), pas par le client (%)',
            to_timestamp(now_s), to_timestamp(NEW.at) USING ERRCODE = 'P0001';
    END IF;
    IF NEW.session_role IS NOT NULL AND NEW.session_role IS DISTINCT FROM session_user::text THEN
        RAISE EXCEPTION 'une ligne du journal porte le rôle de sa session (%), pas « % »',
            session_user, NEW.session_role USING ERRCODE = 'P0001';
    END IF;
    IF guichet_names_another_role(NEW.operator) THEN
        RAISE EXCEPTION 'seul le rôle « % » écrit au journal en son nom, pas la session de « % »',
            NEW.operator, session_user USING ERRCODE = 'P0001';
    END IF;
    NEW.at := now_s;
    NEW.session_role := session_user;
    RETURN NEW;
END
$$;

CREATE TRIGGER journal_by_the_server BEFORE INSERT ON journal
FOR EACH ROW EXECUTE FUNCTION guichet_journal_by_the_server();

-- The times a console gives a call (when it was answered, when it was closed) are its
-- own, within the tolerance of the server's clock.
CREATE FUNCTION guichet_call_in_time() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_s BIGINT := guichet_now();
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.opened_at > now_s + 300 THEN
            RAISE EXCEPTION 'un appel ne peut pas être ouvert dans le futur du serveur (% ; il est %)',
                to_timestamp(NEW.opened_at), to_timestamp(now_s) USING ERRCODE = 'P0001';
        END IF;
        IF guichet_names_another_role(NEW.operator) THEN
            RAISE EXCEPTION 'seul le rôle « % » ouvre un appel en son nom, pas la session de « % »',
                NEW.operator, session_user USING ERRCODE = 'P0001';
        END IF;
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.handler IS DISTINCT FROM OLD.handler)
        AND guichet_names_another_role(NEW.handler) THEN
        RAISE EXCEPTION 'seul le rôle « % » prend un appel en son nom, pas la session de « % »',
            NEW.handler, session_user USING ERRCODE = 'P0001';
    END IF;
    IF NEW.closed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.closed_at IS NULL) THEN
        IF NEW.closed_at < NEW.opened_at - 300 THEN
            RAISE EXCEPTION 'un appel ne peut pas être clos (%) avant d''avoir été ouvert (%)',
                to_timestamp(NEW.closed_at), to_timestamp(NEW.opened_at) USING ERRCODE = 'P0001';
        END IF;
        IF NEW.closed_at > now_s + 300 THEN
            RAISE EXCEPTION 'un appel ne peut pas être clos dans le futur du serveur (% ; il est %)',
                to_timestamp(NEW.closed_at), to_timestamp(now_s) USING ERRCODE = 'P0001';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER calls_in_time BEFORE INSERT OR UPDATE ON calls
FOR EACH ROW EXECUTE FUNCTION guichet_call_in_time();

-- Every change to a call is a line of its journal, which the server dates and signs: a
-- call is added, closed, corrected, taken over, timed or given its ticket only with a line
-- about it written in the same transaction (checked when it commits).
CREATE FUNCTION guichet_call_journaled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM journal
                   WHERE call_id = NEW.id AND xmin = pg_current_xact_id()::xid) THEN
        RAISE EXCEPTION 'l''appel % ne change qu''avec une ligne de son journal, écrite avec le changement',
            'A-' || lpad(NEW.id::text, 4, '0') USING ERRCODE = 'P0001';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER calls_journaled AFTER INSERT OR UPDATE ON calls
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION guichet_call_journaled();

-- From which line of the journal on the server kept the record: the lines before were
-- written before this migration (or copied from a store that had no roles), and `db
-- check` does not ask them for a role.
CREATE TABLE record_rules (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    journal_from  BIGINT NOT NULL
);

INSERT INTO record_rules (id, journal_from)
SELECT 1, coalesce(max(id), 0) + 1 FROM journal;
