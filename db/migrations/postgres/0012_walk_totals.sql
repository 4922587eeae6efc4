-- The report's totals, as SQLite's migration 0023: how many times each procedure was
-- proposed, and each step of each version reached and answered, by service and by the
-- time the calls were opened, over two spans: UTC days (`span` 86400) and blocks of 32
-- days from 1970-01-01 (`span` 2764800), `start` being the span's first second. A report
-- sums the blocks inside its period, the days inside it at either end, and counts the rows
-- themselves only for the calls of its first and last partial days
-- (store/walk_records.rs).
--
-- A total is only ever added to, by the triggers below, as the row it counts is written
-- (in its transaction). Their functions run as the schema's owner (SECURITY DEFINER, with
-- this migration's schema path): a console role is given SELECT on the totals and nothing
-- else (db/postgres/console-role.sql), so what it cannot rewrite in the rows it cannot
-- rewrite in their totals either. The rows counted are append-only and a call's opening
-- and service are never changed (0005), so a total always equals the count of its rows.
-- The totals of the rows already stored are counted right after this SQL
-- (store/walk_records.rs, count_totals), as after a copy.

CREATE TABLE proposal_totals (
    span      BIGINT NOT NULL,
    start     BIGINT NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    proposed  BIGINT NOT NULL,
    PRIMARY KEY (span, start, service, procedure)
);

CREATE TABLE step_totals (
    span      BIGINT NOT NULL,
    start     BIGINT NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    version   TEXT NOT NULL,
    step      TEXT NOT NULL,
    reached   BIGINT NOT NULL,
    answered  BIGINT NOT NULL,
    PRIMARY KEY (span, start, service, procedure, version, step)
);

-- A row written with ON CONFLICT DO NOTHING that was already there fires no trigger: the
-- totals count rows, as the report did.
CREATE FUNCTION guichet_proposal_total() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO proposal_totals (span, start, service, procedure, proposed)
    SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
           NEW.procedure, 1
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, calls c WHERE c.id = NEW.call_id
    ON CONFLICT (span, start, service, procedure) DO UPDATE
        SET proposed = proposal_totals.proposed + 1;
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_step_total() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO step_totals (span, start, service, procedure, version, step, reached, answered)
    SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
           w.procedure, w.version, NEW.step, 1 - NEW.answered, NEW.answered
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, walks w JOIN calls c ON c.id = w.call_id WHERE w.id = NEW.walk_id
    ON CONFLICT (span, start, service, procedure, version, step) DO UPDATE
        SET reached = step_totals.reached + excluded.reached,
            answered = step_totals.answered + excluded.answered;
    RETURN NULL;
END;
$$;

CREATE TRIGGER call_proposals_total AFTER INSERT ON call_proposals
FOR EACH ROW EXECUTE FUNCTION guichet_proposal_total();
CREATE TRIGGER walk_steps_total AFTER INSERT ON walk_steps
FOR EACH ROW EXECUTE FUNCTION guichet_step_total();
