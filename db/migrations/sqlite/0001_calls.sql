-- Calls and their append-only journal. Times are Unix seconds, UTC.

CREATE TABLE calls (
    id            INTEGER PRIMARY KEY,
    opened_at     INTEGER NOT NULL,
    closed_at     INTEGER,
    operator      TEXT NOT NULL CHECK (length(operator) > 0),
    caller_name   TEXT NOT NULL CHECK (length(trim(caller_name)) > 0),
    caller_phone  TEXT,
    caller_email  TEXT,
    service       TEXT NOT NULL,
    device        TEXT NOT NULL,
    summary       TEXT NOT NULL CHECK (length(trim(summary)) > 0),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    outcome       TEXT CHECK (outcome IS NULL OR outcome IN
                      ('resolved', 'escalated', 'callback', 'transferred', 'abandoned')),
    -- Accent-free lower-case caller name and the phone's digits, for the list's search.
    search_key    TEXT NOT NULL,
    CHECK ((status = 'open') = (closed_at IS NULL))
);

CREATE INDEX calls_by_time ON calls (opened_at DESC);
CREATE INDEX calls_open_by_time ON calls (opened_at DESC) WHERE status = 'open';
CREATE INDEX calls_by_operator ON calls (operator, opened_at DESC);
CREATE INDEX calls_by_service ON calls (service, opened_at DESC);

-- A call is history: it is closed, never deleted.
CREATE TRIGGER calls_no_delete BEFORE DELETE ON calls
BEGIN
    SELECT RAISE(ABORT, 'calls are never deleted');
END;

CREATE TABLE journal (
    id        INTEGER PRIMARY KEY,
    call_id   INTEGER NOT NULL REFERENCES calls (id),
    at        INTEGER NOT NULL,
    operator  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    body      TEXT NOT NULL DEFAULT ''
);

CREATE INDEX journal_by_call ON journal (call_id, id);

-- The journal is the call's history: the database itself refuses to rewrite it.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

-- The call being typed, one per operator, so that nothing typed is lost.
CREATE TABLE drafts (
    operator    TEXT PRIMARY KEY,
    saved_at    INTEGER NOT NULL,
    opened_at   INTEGER NOT NULL,
    fields      TEXT NOT NULL
);
