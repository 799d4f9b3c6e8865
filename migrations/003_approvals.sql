-- 003_approvals: two-person-rule requests and the votes cast on them (DESIGN §6).
-- Applied by the migration runner inside its own transaction: no BEGIN/COMMIT here.
-- Times are UTC ISO-8601 strings (Date.toISOString), so they sort and compare as text.

CREATE TABLE approval_requests (
  id               TEXT PRIMARY KEY,            -- short readable id, e.g. req_7f3a9c
  action           TEXT NOT NULL,
  params_json      TEXT NOT NULL,               -- canonical JSON frozen at request time
  params_sha256    TEXT NOT NULL CHECK (length(params_sha256) = 64),
  facts_json       TEXT NOT NULL DEFAULT '[]',  -- what people were shown and approved
  requester        TEXT NOT NULL,
  team_id          TEXT NOT NULL,
  reason           TEXT,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'executing', 'succeeded', 'failed',
                                                  'denied', 'cancelled', 'expired', 'interrupted')),
  threshold        INTEGER NOT NULL CHECK (threshold >= 0),
  created_at       TEXT NOT NULL,
  expires_at       TEXT NOT NULL,
  decided_at       TEXT,                        -- approved, denied, cancelled or expired
  executed_at      TEXT,                        -- claimed for execution
  finished_at      TEXT,                        -- succeeded, failed or interrupted
  result_json      TEXT,
  message_ref_json TEXT                         -- opaque chat message reference (channel + ts)
) STRICT;

CREATE INDEX approval_requests_by_state ON approval_requests (state, expires_at);

CREATE TABLE approval_votes (
  request_id TEXT NOT NULL REFERENCES approval_requests (id),
  user_id    TEXT NOT NULL,
  decision   TEXT NOT NULL CHECK (decision IN ('approve', 'deny')),
  at         TEXT NOT NULL,
  -- One vote per person per request: a double click or a Slack retry counts once.
  UNIQUE (request_id, user_id)
) STRICT;
