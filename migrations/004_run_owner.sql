-- Which process runs a backup or restore (`host:pid`), so crash recovery marks as interrupted only
-- runs whose process is gone — never one a live bot is still running when a CLI command starts.
ALTER TABLE backup_runs ADD COLUMN owner TEXT;
ALTER TABLE restores ADD COLUMN owner TEXT;
