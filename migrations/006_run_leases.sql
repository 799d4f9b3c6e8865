-- Run ownership by lease (issue 7). `host:pid` could not tell a dead run from a live one in
-- containers: a restarted bot reuses the pid, a recreated one gets a new hostname. Each process
-- that works holds a lease row and renews its heartbeat while it works; the `owner` column of
-- backup_runs and restores now names the lease token. A run whose lease is missing or whose
-- heartbeat is older than the bound (60 s by default) is dead, whatever host or pid wrote it.
CREATE TABLE run_leases (
  token        TEXT PRIMARY KEY,
  holder       TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
