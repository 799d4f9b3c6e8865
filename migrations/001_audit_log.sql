-- 001_audit_log: the append-only, hash-chained audit log (DESIGN §9).
-- hash = HMAC-SHA256(AUDIT_KEY, prev_hash || canonical row), or SHA-256 without a key;
-- see src/core/audit/canonical.ts for the exact canonical form.
CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  time      TEXT NOT NULL,                -- UTC ISO 8601, e.g. 2025-11-26T02:00:00.000Z
  actor     TEXT NOT NULL,                -- Slack user ID, 'system' or 'cli'
  event     TEXT NOT NULL,                -- dotted name, e.g. backup.succeeded
  target    TEXT,
  details   TEXT NOT NULL DEFAULT '{}',   -- canonical JSON object, secrets redacted
  prev_hash TEXT NOT NULL,                -- 64 hex; 64 zeros for the first row
  hash      TEXT NOT NULL                 -- 64 hex
);

CREATE INDEX audit_log_event ON audit_log (event);
-- Two rows sharing a prev_hash would be a fork; the schema makes it impossible.
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be updated');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
