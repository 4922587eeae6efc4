-- The record's times, as far as a file can keep them (issue 21; PostgreSQL's migration
-- 0006 does the rest). A file has no server: its clock is the machine's and it knows no
-- role. So a line of the journal is refused when it is dated in the future of that clock,
-- before its call was opened or before the line that precedes it; a call is not opened or
-- closed in the future, nor closed before it was opened. Each rule leaves the clocks a
-- tolerance of 300 s (the one `db check` applies, src/store/record.rs): a machine whose
-- clock steps back a little still writes. Whoever can write the file can also drop these
-- triggers: `db check` says when one is missing.

-- The role of the session that wrote a line, which only a server knows: empty (NULL) on
-- the lines written here, kept on those a copy brings from a server.
ALTER TABLE journal ADD COLUMN session_role TEXT;

CREATE TRIGGER journal_not_ahead BEFORE INSERT ON journal
WHEN NEW.at > unixepoch('now') + 300
BEGIN
    SELECT RAISE(ABORT, 'une ligne du journal ne peut pas être datée dans le futur');
END;

CREATE TRIGGER journal_after_opening BEFORE INSERT ON journal
WHEN NEW.at < (SELECT opened_at FROM calls WHERE id = NEW.call_id) - 300
BEGIN
    SELECT RAISE(ABORT, 'une ligne du journal ne peut pas être datée d''avant l''ouverture de son appel');
END;

CREATE TRIGGER journal_in_order BEFORE INSERT ON journal
WHEN NEW.at < (SELECT max(at) FROM journal WHERE call_id = NEW.call_id) - 300
BEGIN
    SELECT RAISE(ABORT, 'une ligne du journal ne peut pas être datée d''avant celles de son appel');
END;

CREATE TRIGGER calls_opened_in_time BEFORE INSERT ON calls
WHEN NEW.opened_at > unixepoch('now') + 300
BEGIN
    SELECT RAISE(ABORT, 'un appel ne peut pas être ouvert dans le futur');
END;

CREATE TRIGGER calls_closed_in_time BEFORE INSERT ON calls
WHEN NEW.closed_at < NEW.opened_at - 300 OR NEW.closed_at > unixepoch('now') + 300
BEGIN
    SELECT RAISE(ABORT, 'un appel ne peut pas être clos avant d''avoir été ouvert, ni dans le futur');
END;

CREATE TRIGGER calls_close_in_time BEFORE UPDATE OF closed_at ON calls
WHEN OLD.closed_at IS NULL
    AND (NEW.closed_at < NEW.opened_at - 300 OR NEW.closed_at > unixepoch('now') + 300)
BEGIN
    SELECT RAISE(ABORT, 'un appel ne peut pas être clos avant d''avoir été ouvert, ni dans le futur');
END;
