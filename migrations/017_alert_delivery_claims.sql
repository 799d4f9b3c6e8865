-- 017_alert_delivery_claims: durable PagerDuty delivery and delivery claims for alerts (issue 8 review).
-- Applied by the migration runner inside its own transaction: no BEGIN/COMMIT here.
-- Times are UTC ISO-8601 strings.

-- When PagerDuty took (or refused for good) each event of a critical incident. NULL while the
-- event is owed: every health round re-sends what is owed (PagerDuty dedups by dedup_key), so an
-- outage longer than the client's retries, or a restart, loses nothing.
ALTER TABLE alerts ADD COLUMN pd_trigger_at TEXT;
ALTER TABLE alerts ADD COLUMN pd_ack_at TEXT;
ALTER TABLE alerts ADD COLUMN pd_resolve_at TEXT;

-- A process about to post one of the incident's Slack messages claims it first (conditional
-- UPDATE), so two bot processes on one database never both post it; a claim older than a bound
-- is a process that died mid-post and may be taken over.
ALTER TABLE alerts ADD COLUMN claimed_at TEXT;

-- Incidents from before this migration: what was due then is treated as sent, so an upgrade does
-- not replay old pages.
UPDATE alerts SET pd_trigger_at = fired_at, pd_ack_at = acked_at, pd_resolve_at = resolved_at;
