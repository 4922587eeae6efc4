-- Calls being typed that the operator set aside to take another one (F8): kept, listed
-- (F7) and resumable, on the console's machine like the console's own draft.
CREATE TABLE aside_drafts (
    id        INTEGER PRIMARY KEY,
    operator  TEXT NOT NULL,
    console   TEXT NOT NULL,
    set_at    INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    fields    TEXT NOT NULL
);

CREATE INDEX aside_drafts_by_operator ON aside_drafts (operator, set_at DESC);
