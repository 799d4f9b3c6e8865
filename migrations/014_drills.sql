-- 014_drills: disaster-recovery drill history (DESIGN §13).
-- Applied by the migration runner inside its own transaction: no BEGIN/COMMIT here.
-- A row is inserted as 'running' before the drill touches anything, so a crash leaves a visible
-- row (marked 'interrupted' at the next start), never a silent gap. Times are UTC ISO-8601.
CREATE TABLE drills (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  scenario      TEXT NOT NULL CHECK (scenario IN ('restore-test', 'backup-integrity', 'seal', 'rotation')),
  trigger       TEXT NOT NULL CHECK (trigger IN ('slack', 'schedule', 'cli')),
  actor         TEXT NOT NULL,                 -- who asked (Slack user ID, 'system' or 'cli')
  request_id    TEXT,                          -- the approval request, when asked in Slack
  target        TEXT NOT NULL,                 -- the staging Vault address
  status        TEXT NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'interrupted')),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  duration_ms   INTEGER,                       -- the measured recovery (or detection) time
  target_ms     INTEGER,                       -- the RTO_* target it is measured against; NULL: none
  met           INTEGER CHECK (met IN (0, 1)), -- target met (1) or missed (0); NULL: no target or not measured
  steps_json    TEXT NOT NULL DEFAULT '[]',    -- [{name, ms, ok, detail?}] — never a secret
  failures_json TEXT NOT NULL DEFAULT '[]',    -- one sentence per failure, naming where
  summary       TEXT NOT NULL DEFAULT '',
  owner         TEXT                           -- process that runs it (host:pid), for crash reporting
) STRICT;

CREATE INDEX drills_by_time ON drills (started_at);
