-- The rights of a console role that can answer calls but never rewrite history, even
-- around guichet: run as the database's owner, once guichet has created the schema (any
-- command as the owner does, e.g. `guichet --db postgresql://owner@host/guichet db check`).
-- Replace guichet (the database) and guichet_console (the role) by their names.

GRANT CONNECT ON DATABASE guichet TO guichet_console;
GRANT USAGE ON SCHEMA public TO guichet_console;
-- The schema's version, and from which journal line on the server signs every line.
GRANT SELECT ON schema_migrations, record_rules TO guichet_console;
-- Calls are added, closed, taken over (UPDATE), never deleted.
GRANT SELECT, INSERT, UPDATE ON calls TO guichet_console;
-- The journal and the handover are added to, never changed. The server dates each journal
-- line by its own clock and signs it with the session's role (migration 0006).
GRANT SELECT, INSERT ON journal, handover_entries TO guichet_console;
-- What the walks teach is written with the journal line it comes from, never changed:
-- proposals, walks, their steps and ends, « résolu ? » answers, steps flagged.
GRANT SELECT, INSERT ON call_proposals, walks, walk_steps, walk_ends, walk_answers, step_flags
    TO guichet_console;
GRANT SELECT ON walk_records TO guichet_console;
-- Their totals (by day and by 32 days), for the report, are kept by the schema's triggers
-- (running as its owner) as those rows are written: the console only reads them.
GRANT SELECT ON proposal_totals, step_totals TO guichet_console;
-- So are each call's next call from the same number (« resolved on first contact ») and
-- the calls closed without a procedure followed, by summary.
GRANT SELECT ON call_returns, hole_totals TO guichet_console;
-- And what the report reads of each walk (its end, last answer, next call, its call's fate).
GRANT SELECT ON walk_facts TO guichet_console;
-- The telephony's events are added (by the console's listener, or `guichet phone event`).
GRANT SELECT, INSERT ON phone_events TO guichet_console;
-- A phone call taken on an open call is linked to it; its handling time is written once.
GRANT SELECT, INSERT, UPDATE ON phone_links TO guichet_console;
-- The GLPI outbox: pushes queued, claimed, marked sent (its rows say where a push is).
GRANT SELECT, INSERT, UPDATE ON glpi_outbox TO guichet_console;
-- The desk's own mark in GLPI, made once by the schema.
GRANT SELECT ON desk_identity TO guichet_console;
-- The procedure index is derived data: rebuilt when the catalogue changes.
GRANT SELECT, INSERT, UPDATE, DELETE ON procedures, procedure_terms, catalog_state TO guichet_console;
GRANT USAGE, SELECT ON SEQUENCE calls_id_seq, journal_id_seq, handover_entries_id_seq,
    phone_events_id_seq, glpi_outbox_id_seq, phone_links_id_seq, call_proposals_id_seq,
    walks_id_seq, walk_steps_id_seq, walk_ends_id_seq, walk_answers_id_seq, step_flags_id_seq
    TO guichet_console;
