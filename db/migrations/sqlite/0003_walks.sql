-- Procedure walks: a journal entry may carry where the walk stands (JSON), so that leaving
-- a call and coming back resumes the procedure at the step it stopped.
-- ADD COLUMN rewrites no row, so the journal's no-update trigger is not involved.
ALTER TABLE journal ADD COLUMN walk TEXT;
