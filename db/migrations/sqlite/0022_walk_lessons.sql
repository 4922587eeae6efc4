-- What the desk's own walks teach the ranking (issue 23): the walks finished, the most
-- recent first, read at each console's start (store/lessons.rs). A walk's mark is JSON
-- written by guichet (serde, compact): a finished one says "current":null. Without this
-- index the read scans the whole journal (millions of lines on a large desk); with it,
-- only the finished walks it reads. Partial: the other lines of the journal cost nothing.
CREATE INDEX journal_walks_finished ON journal (at)
    WHERE walk IS NOT NULL AND instr(walk, '"current":null') > 0;
