-- A phone call taken on a call that was already open, as on SQLite (migration 0014): the
-- call it went to, and its handling time, written once with the hangup.
CREATE TABLE phone_links (
    telephony_id    TEXT PRIMARY KEY CHECK (length(telephony_id) > 0),
    call_id         BIGINT NOT NULL REFERENCES calls (id),
    linked_at       BIGINT NOT NULL,
    operator        TEXT NOT NULL,
    handled_seconds BIGINT
);

CREATE INDEX phone_links_by_call ON phone_links (call_id);

-- Every console sees the link (its F6, the call's journal) within the second.
CREATE TRIGGER phone_links_notify AFTER INSERT OR UPDATE ON phone_links
FOR EACH STATEMENT EXECUTE FUNCTION guichet_notify();
