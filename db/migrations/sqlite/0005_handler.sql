-- Who is handling each call now: the operator who opened it, until someone takes it over
-- (which the journal records).
ALTER TABLE calls ADD COLUMN handler TEXT;
UPDATE calls SET handler = operator WHERE handler IS NULL;
