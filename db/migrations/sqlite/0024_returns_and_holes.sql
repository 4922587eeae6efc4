-- When each caller called again (issue 24: `report procedures` over 1,000,000 calls in under
-- a second): for a call with a number, the opening of the first call from the same number
-- opened after it (strictly), when there is one. « Resolved on first contact » is « no new
-- call from the same number within N days », N chosen by the report: a walk's call came
-- again within N days when next_at <= opened_at + N days. The report reads it with the
-- walk's call instead of looking for a later call in the index of numbers for each walk.
--
-- Kept by the trigger below as each call is written (in its transaction): the new call is
-- the next call of the calls from its number opened last before it (unless they already
-- have a sooner one), and its own next is the first call from its number opened after it
-- (calls may be written out of order). A call's number and opening are never changed
-- (0016) nor is a call deleted, so next_at is always the first later call. The calls
-- already stored are read right after this SQL (store/report_totals.rs, count_returns), as
-- after a copy.

CREATE TABLE call_returns (
    call_id INTEGER PRIMARY KEY REFERENCES calls (id),
    next_at INTEGER NOT NULL
);

CREATE TRIGGER calls_return AFTER INSERT ON calls WHEN NEW.caller_phone IS NOT NULL
BEGIN
    INSERT INTO call_returns (call_id, next_at)
    SELECT p.id, NEW.opened_at FROM calls p
    WHERE p.caller_phone = NEW.caller_phone
      AND p.opened_at = (SELECT max(q.opened_at) FROM calls q
                         WHERE q.caller_phone = NEW.caller_phone AND q.opened_at < NEW.opened_at)
    ON CONFLICT (call_id) DO UPDATE SET next_at = min(next_at, excluded.next_at);
    INSERT INTO call_returns (call_id, next_at)
    SELECT NEW.id, later.first FROM (SELECT min(q.opened_at) AS first FROM calls q
        WHERE q.caller_phone = NEW.caller_phone AND q.opened_at > NEW.opened_at) later
    WHERE later.first IS NOT NULL;
END;

-- The catalogue's holes: the calls closed without any procedure followed, by the spans of
-- 0023 (UTC days and blocks of 32 days of the calls' openings), service and summary — how
-- many, and the first three of them (the smallest ids; NULL when fewer) — which the report
-- sums instead of reading every such call's summary; it folds each summary into words once.
--
-- These change after the call's row is written, so the triggers follow every change: a call
-- becomes a hole when it is closed with no walk (a closed call is never reopened, 0016), and
-- stops being one when a walk is started on it after its closing (the walk rows are never
-- deleted, 0021); its first three are then read again from the calls of its span. Counted
-- for the calls already stored right after this SQL (store/report_totals.rs, count_holes),
-- as after a copy.

CREATE TABLE hole_totals (
    span    INTEGER NOT NULL,
    start   INTEGER NOT NULL,
    service TEXT NOT NULL,
    summary TEXT NOT NULL,
    calls   INTEGER NOT NULL,
    first1  INTEGER,
    first2  INTEGER,
    first3  INTEGER,
    PRIMARY KEY (span, start, service, summary)
) WITHOUT ROWID;

-- guichet writes every call open (store/calls.rs); one written closed counts as well.
CREATE TRIGGER calls_hole_written AFTER INSERT ON calls WHEN NEW.status = 'closed'
BEGIN
    INSERT INTO hole_totals (span, start, service, summary, calls, first1)
    SELECT s.span, NEW.opened_at - ((NEW.opened_at % s.span) + s.span) % s.span, NEW.service,
           NEW.summary, 1, NEW.id
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s WHERE true
    ON CONFLICT (span, start, service, summary) DO UPDATE SET
        calls = calls + 1,
        first1 = CASE WHEN first1 IS NULL OR excluded.first1 < first1 THEN excluded.first1
                      ELSE first1 END,
        first2 = CASE WHEN first1 IS NULL OR excluded.first1 < first1 THEN first1
                      WHEN first2 IS NULL OR excluded.first1 < first2 THEN excluded.first1
                      ELSE first2 END,
        first3 = CASE WHEN first2 IS NULL OR excluded.first1 < first2 THEN first2
                      WHEN first3 IS NULL OR excluded.first1 < first3 THEN excluded.first1
                      ELSE first3 END;
END;

CREATE TRIGGER calls_hole_closed AFTER UPDATE OF status ON calls
WHEN OLD.status IS NOT 'closed' AND NEW.status = 'closed'
     AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = NEW.id)
BEGIN
    INSERT INTO hole_totals (span, start, service, summary, calls, first1)
    SELECT s.span, NEW.opened_at - ((NEW.opened_at % s.span) + s.span) % s.span, NEW.service,
           NEW.summary, 1, NEW.id
    FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s WHERE true
    ON CONFLICT (span, start, service, summary) DO UPDATE SET
        calls = calls + 1,
        first1 = CASE WHEN first1 IS NULL OR excluded.first1 < first1 THEN excluded.first1
                      ELSE first1 END,
        first2 = CASE WHEN first1 IS NULL OR excluded.first1 < first1 THEN first1
                      WHEN first2 IS NULL OR excluded.first1 < first2 THEN excluded.first1
                      ELSE first2 END,
        first3 = CASE WHEN first2 IS NULL OR excluded.first1 < first2 THEN first2
                      WHEN first3 IS NULL OR excluded.first1 < first3 THEN excluded.first1
                      ELSE first3 END;
END;

CREATE TRIGGER walks_fill_hole AFTER INSERT ON walks
WHEN (SELECT c.status FROM calls c WHERE c.id = NEW.call_id) = 'closed'
     AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = NEW.call_id AND w.id <> NEW.id)
BEGIN
    UPDATE hole_totals SET
        calls = calls - 1,
        first1 = CASE WHEN NEW.call_id IN (first1, first2, first3) THEN
            (SELECT h.id FROM calls h WHERE h.opened_at >= hole_totals.start
             AND h.opened_at < hole_totals.start + hole_totals.span
             AND h.service = hole_totals.service AND h.summary = hole_totals.summary
             AND h.status = 'closed' AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = h.id)
             ORDER BY h.id LIMIT 1 OFFSET 0) ELSE first1 END,
        first2 = CASE WHEN NEW.call_id IN (first1, first2, first3) THEN
            (SELECT h.id FROM calls h WHERE h.opened_at >= hole_totals.start
             AND h.opened_at < hole_totals.start + hole_totals.span
             AND h.service = hole_totals.service AND h.summary = hole_totals.summary
             AND h.status = 'closed' AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = h.id)
             ORDER BY h.id LIMIT 1 OFFSET 1) ELSE first2 END,
        first3 = CASE WHEN NEW.call_id IN (first1, first2, first3) THEN
            (SELECT h.id FROM calls h WHERE h.opened_at >= hole_totals.start
             AND h.opened_at < hole_totals.start + hole_totals.span
             AND h.service = hole_totals.service AND h.summary = hole_totals.summary
             AND h.status = 'closed' AND NOT EXISTS (SELECT 1 FROM walks w WHERE w.call_id = h.id)
             ORDER BY h.id LIMIT 1 OFFSET 2) ELSE first3 END
    WHERE (span, start, service, summary) IN (
        SELECT s.span, c.opened_at - ((c.opened_at % s.span) + s.span) % s.span, c.service,
               c.summary
        FROM (SELECT 86400 AS span UNION ALL SELECT 2764800) s, calls c WHERE c.id = NEW.call_id);
END;
