-- What a call was stays what it was, as on SQLite (migration 0016): closing, correcting
-- the outcome, taking a call over, its handling time and its GLPI ticket are the only
-- changes, and a closed call is never reopened; whoever the role, the server refuses.
CREATE FUNCTION guichet_keep_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id
        OR NEW.opened_at IS DISTINCT FROM OLD.opened_at
        OR NEW.operator IS DISTINCT FROM OLD.operator
        OR NEW.caller_name IS DISTINCT FROM OLD.caller_name
        OR NEW.caller_phone IS DISTINCT FROM OLD.caller_phone
        OR NEW.caller_email IS DISTINCT FROM OLD.caller_email
        OR NEW.service IS DISTINCT FROM OLD.service
        OR NEW.device IS DISTINCT FROM OLD.device
        OR NEW.summary IS DISTINCT FROM OLD.summary
        OR NEW.search_key IS DISTINCT FROM OLD.search_key
        OR NEW.telephony_id IS DISTINCT FROM OLD.telephony_id
        OR (OLD.status = 'closed' AND NEW.status IS DISTINCT FROM 'closed')
        OR (OLD.closed_at IS NOT NULL AND NEW.closed_at IS DISTINCT FROM OLD.closed_at)
        OR (OLD.glpi_ticket IS NOT NULL AND NEW.glpi_ticket IS DISTINCT FROM OLD.glpi_ticket)
    THEN
        RAISE EXCEPTION 'what a call was is never changed, and a closed call is never reopened'
            USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER calls_keep_record BEFORE UPDATE ON calls
FOR EACH ROW EXECUTE FUNCTION guichet_keep_call();
