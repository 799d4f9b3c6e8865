-- Rekeys and unseals the bot follows in a request's thread (DESIGN §11), so a restart picks the
-- following up again instead of leaving the thread silent. `state_json` holds what the follower
-- needs (API, nonce, share counts, when the seal happened) — never a key share or a value.
CREATE TABLE rotation_follow_ups (
  request_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('rekey', 'unseal')),
  state_json TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT,
  PRIMARY KEY (request_id, kind)
);
