-- Shift handover: the outgoing operator's note and the incoming operator's
-- acknowledgement, append-only like the journal.

CREATE TABLE handover_entries (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    operator    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'ack')),
    shift_name  TEXT NOT NULL,
    shift_from  INTEGER NOT NULL,
    shift_to    INTEGER NOT NULL,
    body        TEXT NOT NULL DEFAULT ''
);

CREATE INDEX handover_by_shift ON handover_entries (shift_from, id);

CREATE TRIGGER handover_no_update BEFORE UPDATE ON handover_entries
BEGIN
    SELECT RAISE(ABORT, 'handover entries are append-only');
END;

CREATE TRIGGER handover_no_delete BEFORE DELETE ON handover_entries
BEGIN
    SELECT RAISE(ABORT, 'handover entries are append-only');
END;

-- The shift report counts a time window's calls by service, device, outcome and operator:
-- this index answers all four from the index alone, without touching the table.
CREATE INDEX calls_report ON calls (opened_at, service, device, outcome, operator, status, closed_at);

-- Callbacks due: calls closed with outcome 'callback' in a window.
CREATE INDEX calls_callbacks ON calls (closed_at) WHERE outcome = 'callback';

-- Procedures used in a window's calls.
CREATE INDEX journal_procedures ON journal (call_id, body) WHERE kind = 'procedure';
