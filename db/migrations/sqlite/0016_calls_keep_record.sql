-- What a call was stays what it was: who called, from where, about what, who took it and
-- when. Closing, correcting the outcome, taking a call over, its handling time and its GLPI
-- ticket are the only changes, and a closed call is never reopened. The journal says the
-- rest (notes, corrections), append-only already.
CREATE TRIGGER calls_keep_record BEFORE UPDATE ON calls
WHEN NEW.id IS NOT OLD.id
    OR NEW.opened_at IS NOT OLD.opened_at
    OR NEW.operator IS NOT OLD.operator
    OR NEW.caller_name IS NOT OLD.caller_name
    OR NEW.caller_phone IS NOT OLD.caller_phone
    OR NEW.caller_email IS NOT OLD.caller_email
    OR NEW.service IS NOT OLD.service
    OR NEW.device IS NOT OLD.device
    OR NEW.summary IS NOT OLD.summary
    OR NEW.search_key IS NOT OLD.search_key
    OR NEW.telephony_id IS NOT OLD.telephony_id
    OR (OLD.status = 'closed' AND NEW.status IS NOT 'closed')
    OR (OLD.closed_at IS NOT NULL AND NEW.closed_at IS NOT OLD.closed_at)
    OR (OLD.glpi_ticket IS NOT NULL AND NEW.glpi_ticket IS NOT OLD.glpi_ticket)
BEGIN
    SELECT RAISE(ABORT, 'what a call was is never changed, and a closed call is never reopened');
END;
