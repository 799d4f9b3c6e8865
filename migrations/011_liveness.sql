-- 011_liveness: one row that /healthz rewrites, so "the database cannot be written" is noticed by
-- the liveness probe, not only by the next backup or audit append (DESIGN §8).
-- Applied by the migration runner inside its own transaction: no BEGIN/COMMIT here.

CREATE TABLE liveness (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
) STRICT;
