-- Backup catalogue, backup runs and restores (DESIGN §4).
-- A run row is inserted as 'running' before anything touches Vault or the store; the partial
-- unique index makes a second concurrent run fail to start, across processes too. A run found
-- 'running' at start-up is marked 'interrupted' and reported, never retried silently.

CREATE TABLE backup_runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL,
  key          TEXT,
  status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
  step         TEXT,
  error        TEXT,
  started_at   TEXT NOT NULL,
  finished_at  TEXT
);
CREATE UNIQUE INDEX backup_runs_one_running ON backup_runs (status) WHERE status = 'running';

CREATE TABLE backups (
  key           TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,
  store         TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  stored_bytes  INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  plain_bytes   INTEGER NOT NULL,
  plain_sha256  TEXT NOT NULL,
  key_id        TEXT NOT NULL,
  format        TEXT NOT NULL,
  vault_version TEXT,
  audit_head    TEXT,
  verified_at   TEXT NOT NULL,
  deleted_at    TEXT
);
CREATE INDEX backups_created ON backups (created_at);

CREATE TABLE restores (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  key            TEXT NOT NULL,
  target         TEXT NOT NULL,
  purpose        TEXT NOT NULL,
  dry_run        INTEGER NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
  step           TEXT,
  error          TEXT,
  safety_key     TEXT,
  canary         TEXT,
  recovery_ms    INTEGER,
  started_at     TEXT NOT NULL,
  finished_at    TEXT
);
