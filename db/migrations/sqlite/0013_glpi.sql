-- GLPI hand-off (`guichet glpi push`, `guichet glpi sync`, the console's key): the ticket
-- a call became (one per call, never a second), and the outbox of pushes waiting to be
-- sent, in order. A push sends the journal entries after `after_entry` up to
-- `through_entry` (the journal is append-only: what a push sends never changes).
ALTER TABLE calls ADD COLUMN glpi_ticket INTEGER;

CREATE TABLE glpi_outbox (
    id            INTEGER PRIMARY KEY,
    call_id       INTEGER NOT NULL REFERENCES calls (id),
    queued_at     INTEGER NOT NULL,
    operator      TEXT NOT NULL,
    after_entry   INTEGER NOT NULL,
    through_entry INTEGER NOT NULL,
    -- waiting: to send; sending: claimed by a process, written before its request to
    -- GLPI (a retry of such an entry looks for what it may have created first); sent.
    state         TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sending', 'sent')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_at    INTEGER,
    claimed_by    TEXT,
    last_error    TEXT,
    sent_at       INTEGER,
    ticket        INTEGER
);

CREATE INDEX glpi_outbox_pending ON glpi_outbox (id) WHERE state <> 'sent';
CREATE INDEX glpi_outbox_by_call ON glpi_outbox (call_id, id);
