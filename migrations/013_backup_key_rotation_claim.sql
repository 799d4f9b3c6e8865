-- One backup-key rotation at a time (DESIGN §11), whether started from Slack or the CLI: the
-- running one holds the single row, naming the run lease (006) of its process. A row whose lease
-- is missing or stale belongs to a process that died, and the next rotation takes it over.
CREATE TABLE backup_key_rotation_claim (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  claim_id   TEXT NOT NULL,
  owner      TEXT NOT NULL,
  actor      TEXT NOT NULL,
  via        TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
