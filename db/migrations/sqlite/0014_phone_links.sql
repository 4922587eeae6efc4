-- A phone call taken on a call that was already open: the caller rings again about it and
-- the operator opens it (F6) instead of typing a new one. The phone call's handling time
-- goes to that call, exactly once (`handled_seconds` is written with the hangup).
CREATE TABLE phone_links (
    id              INTEGER PRIMARY KEY,
    telephony_id    TEXT NOT NULL UNIQUE CHECK (length(telephony_id) > 0),
    call_id         INTEGER NOT NULL REFERENCES calls (id),
    linked_at       INTEGER NOT NULL,
    operator        TEXT NOT NULL,
    handled_seconds INTEGER
);

CREATE INDEX phone_links_by_call ON phone_links (call_id);
