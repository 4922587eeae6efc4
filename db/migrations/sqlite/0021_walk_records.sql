-- What the desk's walks teach (issue 24): the procedures the form proposed for a call, each
-- procedure walked on a call (with its version), the steps it reached and answered, how it
-- ended, the steps flagged « à revoir » and whether it solved the caller's problem. Each
-- row is written in the transaction of the journal line it comes from (the walks already
-- journaled are read back into these tables when this migration runs); rows are added,
-- never changed: a walk's state is read from them (view walk_records). Times are Unix
-- seconds, UTC.

-- The form's first three proposals when the call was saved, best first.
CREATE TABLE call_proposals (
    id        INTEGER PRIMARY KEY,
    call_id   INTEGER NOT NULL REFERENCES calls (id),
    rank      INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 3),
    procedure TEXT NOT NULL,
    UNIQUE (call_id, rank)
);
-- A procedure is proposed once per call: the report counts rows, not distinct calls.
CREATE UNIQUE INDEX call_proposals_by_call ON call_proposals (call_id, procedure);

-- A procedure walked on a call: its version is the one the walk's journal lines carry
-- (empty for walks journaled before versions were kept).
CREATE TABLE walks (
    id         INTEGER PRIMARY KEY,
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    procedure  TEXT NOT NULL,
    version    TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL,
    operator   TEXT NOT NULL
);
CREATE INDEX walks_by_call ON walks (call_id, procedure, id);

-- A step shown to the operator (answered = 0: reached) and one they moved on from
-- (answered = 1), once each per walk: a step reached and not answered is where the walk
-- was left. Steps the call itself answered (skipped) are neither.
CREATE TABLE walk_steps (
    id       INTEGER PRIMARY KEY,
    walk_id  INTEGER NOT NULL REFERENCES walks (id),
    step     TEXT NOT NULL,
    answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
    at       INTEGER NOT NULL,
    UNIQUE (walk_id, step, answered)
);

-- The walk reached its end: the last step done (completed) or a hand-off (escalated).
CREATE TABLE walk_ends (
    id      INTEGER PRIMARY KEY,
    walk_id INTEGER NOT NULL UNIQUE REFERENCES walks (id),
    at      INTEGER NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('completed', 'escalated'))
);

-- « Résolu ? » answered at the end of a walk; the last answer counts.
CREATE TABLE walk_answers (
    id       INTEGER PRIMARY KEY,
    walk_id  INTEGER NOT NULL REFERENCES walks (id),
    solved   INTEGER NOT NULL CHECK (solved IN (0, 1)),
    operator TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX walk_answers_by_walk ON walk_answers (walk_id, id);

-- A step flagged « étape à revoir » during a walk, with the operator's short note.
CREATE TABLE step_flags (
    id       INTEGER PRIMARY KEY,
    walk_id  INTEGER NOT NULL REFERENCES walks (id),
    step     TEXT NOT NULL,
    note     TEXT NOT NULL CHECK (length(note) <= 200),
    operator TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX step_flags_by_walk ON step_flags (walk_id);

-- A caller's next call, for « resolved on first contact ».
CREATE INDEX calls_by_phone ON calls (caller_phone, opened_at) WHERE caller_phone IS NOT NULL;

-- Added to, never changed, as the journal they come from.
CREATE TRIGGER call_proposals_no_update BEFORE UPDATE ON call_proposals
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER call_proposals_no_delete BEFORE DELETE ON call_proposals
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walks_no_update BEFORE UPDATE ON walks
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walks_no_delete BEFORE DELETE ON walks
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walk_steps_no_update BEFORE UPDATE ON walk_steps
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walk_steps_no_delete BEFORE DELETE ON walk_steps
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walk_ends_no_update BEFORE UPDATE ON walk_ends
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walk_ends_no_delete BEFORE DELETE ON walk_ends
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walk_answers_no_update BEFORE UPDATE ON walk_answers
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER walk_answers_no_delete BEFORE DELETE ON walk_answers
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER step_flags_no_update BEFORE UPDATE ON step_flags
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;
CREATE TRIGGER step_flags_no_delete BEFORE DELETE ON step_flags
BEGIN SELECT RAISE(ABORT, 'walk records are append-only'); END;

-- Each walk as one row: when it ended (its end, else the call's closing) and its state —
-- completed or escalated by its end; else abandoned once its call is closed, in progress
-- while it is open — with how many steps it reached and answered and the « résolu ? »
-- answer (NULL when not said).
CREATE VIEW walk_records AS
SELECT w.id, w.call_id, w.procedure, w.version, w.started_at, w.operator,
       coalesce(e.at, c.closed_at) AS ended_at,
       CASE WHEN e.state IS NOT NULL THEN e.state
            WHEN c.status = 'closed' THEN 'abandoned'
            ELSE 'in_progress' END AS state,
       (SELECT count(*) FROM walk_steps s WHERE s.walk_id = w.id AND s.answered = 0) AS reached,
       (SELECT count(*) FROM walk_steps s WHERE s.walk_id = w.id AND s.answered = 1) AS answered,
       (SELECT a.solved FROM walk_answers a WHERE a.walk_id = w.id ORDER BY a.id DESC LIMIT 1)
           AS said_solved
FROM walks w
JOIN calls c ON c.id = w.call_id
LEFT JOIN walk_ends e ON e.walk_id = w.id;
