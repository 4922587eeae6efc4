-- The report's totals (issue 24: `report procedures` over 1,000,000 calls in under a
-- second): how many times each procedure was proposed, and each step of each version
-- reached and answered, by service and by the time the calls were opened, over two spans:
-- UTC days (`span` 86400) and blocks of 32 days from 1970-01-01 (`span` 2764800), `start`
-- being the span's first second. A report sums the blocks inside its period, the days
-- inside it at either end, and counts the rows themselves only for the calls of its first
-- and last partial days (store/walk_records.rs), instead of joining millions of rows to
-- their calls.
--
-- A total is only ever added to, by the triggers below, as the row it counts is written
-- (in its transaction); the rows it counts are append-only and a call's opening and
-- service are never changed (0016), so a total always equals the count of its rows. The
-- totals of the rows already stored are counted right after this SQL
-- (store/walk_records.rs, count_totals), as after a copy. (A SQLite file is its owner's:
-- nothing here stops them from editing it, as for every table.)

CREATE TABLE proposal_totals (
    span      INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    proposed  INTEGER NOT NULL,
    PRIMARY KEY (span, start, service, procedure)
) WITHOUT ROWID;

CREATE TABLE step_totals (
    span      INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    version   TEXT NOT NULL,
    step      TEXT NOT NULL,
    reached   INTEGER NOT NULL,
    answered  INTEGER NOT NULL,
    PRIMARY KEY (span, start, service, procedure, version, step)
) WITHOUT ROWID;

-- A row written with ON CONFLICT DO NOTHING that was already there fires no trigger: the
-- totals count rows, as the report did.
CREATE TRIGGER call_proposals_total AFTER INSERT ON call_proposals
BEGIN
    INSERT INTO proposal_totals (span, start, service, procedure, proposed)
    SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
           NEW.procedure, 1
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, calls c WHERE c.id = NEW.call_id
    ON CONFLICT (span, start, service, procedure) DO UPDATE
        SET proposed = proposal_totals.proposed + 1;
END;

CREATE TRIGGER walk_steps_total AFTER INSERT ON walk_steps
BEGIN
    INSERT INTO step_totals (span, start, service, procedure, version, step, reached, answered)
    SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
           w.procedure, w.version, NEW.step, 1 - NEW.answered, NEW.answered
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, walks w JOIN calls c ON c.id = w.call_id WHERE w.id = NEW.walk_id
    ON CONFLICT (span, start, service, procedure, version, step) DO UPDATE
        SET reached = step_totals.reached + excluded.reached,
            answered = step_totals.answered + excluded.answered;
END;
