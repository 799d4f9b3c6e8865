-- 010_alerts: health checks and the alert lifecycle (DESIGN §8).
-- Applied by the migration runner inside its own transaction: no BEGIN/COMMIT here.
-- Times are UTC ISO-8601 strings (Date.toISOString), so they sort and compare as text.

-- The latest state of every health check, so `/vault status` can say "since when" and the
-- consecutive-failure count survives a restart.
CREATE TABLE health_checks (
  name          TEXT PRIMARY KEY,              -- reachable, sealed, leader, raft, latency, backup_age…
  state         TEXT NOT NULL CHECK (state IN ('pass', 'fail', 'skip')),
  since         TEXT NOT NULL,                 -- when it entered this state
  fail_streak   INTEGER NOT NULL DEFAULT 0,    -- consecutive failed rounds
  pass_streak   INTEGER NOT NULL DEFAULT 0,    -- consecutive passed rounds
  detail        TEXT NOT NULL DEFAULT '',      -- one sentence, safe to show
  checked_at    TEXT NOT NULL
) STRICT;

-- One row per incident. At most one open (firing) incident per key and scope: the unique index
-- is what makes a second firing impossible, across restarts and processes.
CREATE TABLE alerts (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  key                 TEXT NOT NULL,           -- vault_sealed, backup_failed… (DESIGN §8)
  scope               TEXT NOT NULL DEFAULT '',-- e.g. the backup kind for backup_failed
  severity            TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium')),
  state               TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
  summary             TEXT NOT NULL,
  detail              TEXT NOT NULL DEFAULT '',
  fired_at            TEXT NOT NULL,
  message_ref_json    TEXT,                    -- chat message of the incident; NULL until delivered
  delivered_at        TEXT,                    -- NULL: the fired message is still to be posted
  last_reminder_at    TEXT,
  reminders           INTEGER NOT NULL DEFAULT 0,
  acked_by            TEXT,
  acked_at            TEXT,
  resolved_at         TEXT,
  resolve_notified_at TEXT                     -- NULL after resolving: "resolved" still to be posted
) STRICT;

CREATE UNIQUE INDEX alerts_one_firing ON alerts (key, scope) WHERE state = 'firing';
CREATE INDEX alerts_by_state ON alerts (state, fired_at);
