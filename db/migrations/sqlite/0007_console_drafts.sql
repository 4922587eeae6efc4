-- The call being typed belongs to a console, not to an operator name: one technician in
-- two SSH sessions runs two consoles, and each keeps its own draft. `console` is a random
-- id the console holds a lock for while it runs (see store/consoles.rs); a draft whose
-- console is gone is offered back to the next console of the same operator.

CREATE TABLE console_drafts (
    console     TEXT PRIMARY KEY,
    operator    TEXT NOT NULL,
    saved_at    INTEGER NOT NULL,
    opened_at   INTEGER NOT NULL,
    fields      TEXT NOT NULL
);

CREATE INDEX console_drafts_by_operator ON console_drafts (operator, saved_at DESC);

-- Drafts kept before consoles had ids belong to no running console: offered back.
INSERT INTO console_drafts (console, operator, saved_at, opened_at, fields)
SELECT 'avant-0007:' || operator, operator, saved_at, opened_at, fields FROM drafts;

DROP TABLE drafts;
