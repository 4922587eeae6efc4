-- When each caller called again, as SQLite's migration 0024: for a call with a number, the
-- opening of the first call from the same number opened after it (strictly), when there is
-- one. « Resolved on first contact » is « no new call from the same number within N days »,
-- N chosen by the report: a walk's call came again within N days when next_at <= opened_at
-- + N days, read with the walk's call instead of a look in the index of numbers per walk.
--
-- Kept by the trigger below as each call is written (in its transaction): the new call is
-- the next call of the calls from its number opened last before it (unless they already
-- have a sooner one), and its own next is the first call from its number opened after it.
-- Two consoles writing calls from the same number at once are taken one after the other
-- (a lock on the number, until the transaction ends), each seeing the other's call. Its
-- function runs as the schema's owner (SECURITY DEFINER): a console role only reads the
-- table (db/postgres/console-role.sql). A call's number and opening are never changed
-- (0005) nor is a call deleted, so next_at is always the first later call. The calls
-- already stored are read right after this SQL (store/report_totals.rs, count_returns), as
-- after a copy.

CREATE TABLE call_returns (
    call_id BIGINT PRIMARY KEY REFERENCES calls (id),
    next_at BIGINT NOT NULL
);

CREATE FUNCTION guichet_call_return() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    -- The lock of the number, in the two-key space of advisory locks (apart from the
    -- one-key locks of the migrations and of phone.rs).
    PERFORM pg_advisory_xact_lock(746865723, hashtext(NEW.caller_phone));
    INSERT INTO call_returns (call_id, next_at)
    SELECT p.id, NEW.opened_at FROM calls p
    WHERE p.caller_phone = NEW.caller_phone
      AND p.opened_at = (SELECT max(q.opened_at) FROM calls q
                         WHERE q.caller_phone = NEW.caller_phone AND q.opened_at < NEW.opened_at)
    ON CONFLICT (call_id) DO UPDATE SET next_at = LEAST(call_returns.next_at, excluded.next_at);
    INSERT INTO call_returns (call_id, next_at)
    SELECT NEW.id, later.first FROM (SELECT min(q.opened_at) AS first FROM calls q
        WHERE q.caller_phone = NEW.caller_phone AND q.opened_at > NEW.opened_at) later
    WHERE later.first IS NOT NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER calls_return AFTER INSERT ON calls
FOR EACH ROW WHEN (NEW.caller_phone IS NOT NULL) EXECUTE FUNCTION guichet_call_return();

-- The catalogue's holes, as SQLite's 0024: the calls closed without any procedure followed,
-- by the spans of 0012 (UTC days and blocks of 32 days of the calls' openings), service and
-- summary — how many, and the first three of them (the smallest ids; NULL when fewer) —
-- which the report sums instead of reading every such call's summary.
--
-- These change after the call's row is written, so the triggers follow every change: a call
-- becomes a hole when it is written closed or closed with no walk (a closed call is never
-- reopened, 0005), and stops being one when a walk is started on it after its closing (walk
-- rows are never deleted, 0010); its first three are then read again from the calls of its
-- span, after the span's row is locked (a call of the span closed at the same time is then
-- seen). Both are written under the call's lock (store/rows.rs, locked_call). The functions
-- run as the schema's owner, as 0012's. Counted for the calls already stored right after
-- this SQL (store/report_totals.rs, count_holes), as after a copy.

CREATE TABLE hole_totals (
    span    BIGINT NOT NULL,
    start   BIGINT NOT NULL,
    service TEXT NOT NULL,
    summary TEXT NOT NULL,
    calls   BIGINT NOT NULL,
    first1  BIGINT,
    first2  BIGINT,
    first3  BIGINT,
    PRIMARY KEY (span, start, service, summary)
);

CREATE FUNCTION guichet_hole_closed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.status <> 'closed' OR (TG_OP = 'UPDATE' AND OLD.status = 'closed')
        OR EXISTS (SELECT 1 FROM walks w WHERE w.call_id = NEW.id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO hole_totals AS t (span, start, service, summary, calls, first1)
    SELECT s.span, NEW.opened_at - ((NEW.opened_at % s.span) + s.span) % s.span, NEW.service,
           NEW.summary, 1, NEW.id
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s
    ON CONFLICT (span, start, service, summary) DO UPDATE SET
        calls = t.calls + 1,
        first1 = CASE WHEN t.first1 IS NULL OR excluded.first1 < t.first1 THEN excluded.first1
                      ELSE t.first1 END,
        first2 = CASE WHEN t.first1 IS NULL OR excluded.first1 < t.first1 THEN t.first1
                      WHEN t.first2 IS NULL OR excluded.first1 < t.first2 THEN excluded.first1
                      ELSE t.first2 END,
        first3 = CASE WHEN t.first2 IS NULL OR excluded.first1 < t.first2 THEN t.first2
                      WHEN t.first3 IS NULL OR excluded.first1 < t.first3 THEN excluded.first1
                      ELSE t.first3 END;
    RETURN NULL;
END;
$$;

CREATE FUNCTION guichet_hole_filled() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM calls c WHERE c.id = NEW.call_id AND c.status = 'closed')
        OR EXISTS (SELECT 1 FROM walks w WHERE w.call_id = NEW.call_id AND w.id <> NEW.id) THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM hole_totals t
    WHERE (t.span, t.start, t.service, t.summary) IN (
        SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
               c.summary
        FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, calls c WHERE c.id = NEW.call_id)
    FOR UPDATE;
    UPDATE hole_totals t SET
        calls = t.calls - 1,
        first1 = CASE WHEN NEW.call_id IN (t.first1, t.first2, t.first3) THEN
            (SELECT h.id FROM calls h WHERE h.opened_at >= t.start AND h.opened_at < t.start + t.span
             AND h.service = t.service AND h.summary = t.summary AND h.status = 'closed'
             AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = h.id)
             ORDER BY h.id LIMIT 1 OFFSET 0) ELSE t.first1 END,
        first2 = CASE WHEN NEW.call_id IN (t.first1, t.first2, t.first3) THEN
            (SELECT h.id FROM calls h WHERE h.opened_at >= t.start AND h.opened_at < t.start + t.span
             AND h.service = t.service AND h.summary = t.summary AND h.status = 'closed'
             AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = h.id)
             ORDER BY h.id LIMIT 1 OFFSET 1) ELSE t.first2 END,
        first3 = CASE WHEN NEW.call_id IN (t.first1, t.first2, t.first3) THEN
            (SELECT h.id FROM calls h WHERE h.opened_at >= t.start AND h.opened_at < t.start + t.span
             AND h.service = t.service AND h.summary = t.summary AND h.status = 'closed'
             AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = h.id)
             ORDER BY h.id LIMIT 1 OFFSET 2) ELSE t.first3 END
    WHERE (t.span, t.start, t.service, t.summary) IN (
        SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
               c.summary
        FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, calls c WHERE c.id = NEW.call_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER calls_hole AFTER INSERT OR UPDATE OF status ON calls
FOR EACH ROW EXECUTE FUNCTION guichet_hole_closed();
CREATE TRIGGER walks_fill_hole AFTER INSERT ON walks
FOR EACH ROW EXECUTE FUNCTION guichet_hole_filled();
