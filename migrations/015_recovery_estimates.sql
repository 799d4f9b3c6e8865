-- 015_recovery_estimates: the recovery time shown on each restore request and the time the
-- restore then took (issue 10), so estimates can be judged against what happened.
-- Applied by the migration runner inside its own transaction: no BEGIN/COMMIT here.
CREATE TABLE recovery_estimates (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id   TEXT,                           -- approval request (NULL for the CLI)
  key          TEXT NOT NULL,                  -- the backup object
  size_bytes   INTEGER NOT NULL,
  estimate_ms  INTEGER,                        -- NULL: no measurement yet
  basis        TEXT NOT NULL,                  -- how it was estimated, one sentence
  actual_ms    INTEGER,                        -- filled when the restore finished
  estimated_at TEXT NOT NULL,
  finished_at  TEXT
) STRICT;

CREATE INDEX recovery_estimates_by_key ON recovery_estimates (key);
