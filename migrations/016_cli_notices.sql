-- 016_cli_notices: one-time notices the CLI has shown for this database (e.g. the warning that
-- AUDIT_KEY is not set), so a warning printed on every call does not train people to ignore it.
CREATE TABLE cli_notices (
  name     TEXT PRIMARY KEY,   -- e.g. 'unkeyed-audit-warning'
  shown_at TEXT NOT NULL       -- UTC ISO 8601
);

-- `vault-chatops backup show` reads a backup's history from the audit log by target.
CREATE INDEX audit_log_target ON audit_log (target);
