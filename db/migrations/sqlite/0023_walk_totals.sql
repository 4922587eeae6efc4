-- The report's totals (issue 24: `report procedures` over 1,000,000 calls in under a
-- second): how many times each procedure was proposed, and each step of each version
-- reached and answered, per day of the calls' opening (UTC, `day` = the day's first
-- second) and service. A report sums these rows for the whole days of its period and
-- counts the rows themselves only for the calls of its first and last partial days
-- (store/walk_records.rs), instead of joining millions of rows to their calls.
--
-- A total is only ever added to, by the triggers below, as the row it counts is written
-- (in its transaction); the rows it counts are append-only and a call's opening and
-- service are never changed (0016), so a total always equals the count of its rows. The
-- totals of the rows already stored are computed here.

CREATE TABLE proposal_days (
    day       INTEGER NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    proposed  INTEGER NOT NULL,
    PRIMARY KEY (day, service, procedure)
) WITHOUT ROWID;

CREATE TABLE step_days (
    day       INTEGER NOT NULL,
    service   TEXT NOT NULL,
    procedure TEXT NOT NULL,
    version   TEXT NOT NULL,
    step      TEXT NOT NULL,
    reached   INTEGER NOT NULL,
    answered  INTEGER NOT NULL,
    PRIMARY KEY (day, service, procedure, version, step)
) WITHOUT ROWID;

-- The day of an opening: floored (SQLite's % keeps the dividend's sign).
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
CREATE TRIGGER call_proposals_total AFTER INSERT ON call_proposals
BEGIN
    INSERT INTO proposal_days (day, service, procedure, proposed)
    SELECT c.opened_at - ((c.opened_at % 86400) + 86400) % 86400, c.service, NEW.procedure, 1
    FROM calls c WHERE c.id = NEW.call_id
    ON CONFLICT (day, service, procedure) DO UPDATE SET proposed = proposed + 1;
END;

CREATE TRIGGER walk_steps_total AFTER INSERT ON walk_steps
BEGIN
    INSERT INTO step_days (day, service, procedure, version, step, reached, answered)
    SELECT c.opened_at - ((c.opened_at % 86400) + 86400) % 86400, c.service, w.procedure,
           w.version, NEW.step, 1 - NEW.answered, NEW.answered
    FROM walks w JOIN calls c ON c.id = w.call_id WHERE w.id = NEW.walk_id
    ON CONFLICT (day, service, procedure, version, step) DO UPDATE
        SET reached = reached + excluded.reached, answered = answered + excluded.answered;
END;
