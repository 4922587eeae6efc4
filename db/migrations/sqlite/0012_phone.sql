-- The telephony's call events (`guichet phone listen`, `guichet phone event`), as the
-- desk's IPBX sends them: one row per event of a call, a repeated event kept once (an IPBX
-- that retries a POST). The number is NULL when the caller withheld it.
CREATE TABLE phone_events (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    event            TEXT NOT NULL CHECK (event IN ('newCall', 'answer', 'hangup')),
    telephony_id     TEXT NOT NULL CHECK (length(telephony_id) > 0),
    from_number      TEXT,
    to_number        TEXT NOT NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    -- The agents' names, one per line.
    users            TEXT NOT NULL DEFAULT '',
    answering_number TEXT,
    cause            TEXT,
    UNIQUE (telephony_id, event)
);

CREATE INDEX phone_events_by_time ON phone_events (at);

CREATE TRIGGER phone_events_no_update BEFORE UPDATE ON phone_events
BEGIN
    SELECT RAISE(ABORT, 'phone events are never changed');
END;

CREATE TRIGGER phone_events_no_delete BEFORE DELETE ON phone_events
BEGIN
    SELECT RAISE(ABORT, 'phone events are never changed');
END;

-- The telephony's call a guichet call was opened from, and how long it was handled
-- (answer to hangup), written once on hangup.
ALTER TABLE calls ADD COLUMN telephony_id TEXT;
ALTER TABLE calls ADD COLUMN handled_seconds INTEGER;

CREATE INDEX calls_by_telephony ON calls (telephony_id) WHERE telephony_id IS NOT NULL;

-- The callers seen before: a number's last nine digits (0612345678, +33612345678 and
-- 0033612345678 are one caller), read from the phone's digits kept after the unit
-- separator of search_key. An index on the expression: nothing to keep in step.
CREATE INDEX calls_by_phone_key
    ON calls (substr(substr(search_key, instr(search_key, char(31)) + 1), -9), id)
    WHERE caller_phone IS NOT NULL;
