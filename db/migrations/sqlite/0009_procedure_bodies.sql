-- The index keeps each procedure whole (as JSON): the console reads a procedure when it
-- opens it instead of holding the catalogue in memory, and a start whose catalogue did not
-- change parses no file.
ALTER TABLE procedures ADD COLUMN body TEXT;
-- Forget the fingerprint: the next start fills the bodies.
DELETE FROM catalog_state;
