-- The report's totals, as SQLite's migration 0023: how many times each procedure was
-- proposed, and each step of each version reached and answered, per day of the calls'
-- opening (UTC, `day` = the day's first second) and service. A report sums these rows for
-- the whole days of its period and counts the rows themselves only for the calls of its
-- first and last partial days (store/walk_records.rs).
--
-- A total is only ever added to, by the triggers below, as the row it counts is written
-- (in its transaction). Their functions run as the schema's owner (SECURITY DEFINER, with
-- this migration's schema path): a console role is given SELECT on the totals and nothing
-- else (db/postgres/console-role.sql), so what it cannot rewrite in the rows it cannot
-- rewrite in their totals either. The rows counted are append-only and a call's opening
-- and service are never changed (0005), so a total always equals the count of its rows.
-- The totals of the rows already stored are computed here.

CREATE TABLE proposal_days (
    day       BIGINT NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    proposed  BIGINT NOT NULL,
    PRIMARY KEY (day, service, procedure)
);

CREATE TABLE step_days (
    day       BIGINT NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    version   TEXT NOT NULL,
    step      TEXT NOT NULL,
    reached   BIGINT NOT NULL,
    answered  BIGINT NOT NULL,
    PRIMARY KEY (day, service, procedure, version, step)
);

-- The day of an opening: floored (PostgreSQL's % keeps the dividend's sign).
INSERT INTO proposal_days (day, service, procedure, proposed)
SELECT c.opened_at - ((c.opened_at % 86400) + 86400) % 86400, c.service, p.procedure, count(*)
FROM call_proposals p JOIN calls c ON c.id = p.call_id
GROUP BY 1, 2, 3;

INSERT INTO step_days (day, service, procedure, version, step, reached, answered)
SELECT c.opened_at - ((c.opened_at % 86400) + 86400) % 86400, c.service, w.procedure,
       w.version, s.step, sum(1 - s.answered), sum(s.answered)
FROM walk_steps s JOIN walks w ON w.id = s.walk_id JOIN calls c ON c.id = w.call_id
GROUP BY 1, 2, 3, 4, 5;

-- A row written with ON CONFLICT DO NOTHING that was already there fires no trigger: the
-- totals count rows, as the report did.
CREATE FUNCTION guichet_proposal_total() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO proposal_days (day, service, procedure, proposed)
    SELECT c.opened_at - ((c.opened_at % 86400) + 86400) % 86400, c.service, NEW.procedure, 1
    FROM calls c WHERE c.id = NEW.call_id
    ON CONFLICT (day, service, procedure) DO UPDATE
        SET proposed = proposal_days.proposed + 1;
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_step_total() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO step_days (day, service, procedure, version, step, reached, answered)
    SELECT c.opened_at - ((c.opened_at % 86400) + 86400) % 86400, c.service, w.procedure,
           w.version, NEW.step, 1 - NEW.answered, NEW.answered
    FROM walks w JOIN calls c ON c.id = w.call_id WHERE w.id = NEW.walk_id
    ON CONFLICT (day, service, procedure, version, step) DO UPDATE
        SET reached = step_days.reached + excluded.reached,
            answered = step_days.answered + excluded.answered;
    RETURN NULL;
END;
$$;

CREATE TRIGGER call_proposals_total AFTER INSERT ON call_proposals
FOR EACH ROW EXECUTE FUNCTION guichet_proposal_total();
CREATE TRIGGER walk_steps_total AFTER INSERT ON walk_steps
FOR EACH ROW EXECUTE FUNCTION guichet_step_total();
