-- Every (term, procedure, column) of the search index, as FTS5 itself tokenized it: the
-- console loads these postings once and ranks each keystroke's matches in memory, so that
-- typing stays fast on a catalogue of thousands of procedures.
CREATE VIRTUAL TABLE procedure_postings USING fts5vocab (procedure_fts, 'instance');
