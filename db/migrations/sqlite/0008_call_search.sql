-- The call list's search: any part of the caller's name, the phone's digits, the
-- reference or the words of the summary, found through a trigram index read newest first
-- (the row ids), so that a search costs the same whether ten calls match or a hundred
-- thousand, instead of a scan of every call. Contentless: the text is in `calls`.

CREATE VIRTUAL TABLE call_search USING fts5 (
    text,
    content = '',
    tokenize = 'trigram remove_diacritics 1'
);

INSERT INTO call_search (rowid, text)
SELECT id, replace(search_key, char(31), ' ') || ' ' || summary || ' a-' || printf('%04d', id)
FROM calls;

-- Calls are never changed in what is searched, nor deleted: indexing the insert is all.
CREATE TRIGGER calls_search_insert AFTER INSERT ON calls
BEGIN
    INSERT INTO call_search (rowid, text)
    VALUES (
        new.id,
        replace(new.search_key, char(31), ' ') || ' ' || new.summary || ' a-'
            || printf('%04d', new.id)
    );
END;
