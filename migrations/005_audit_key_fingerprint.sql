-- Which AUDIT_KEY the chain is written with (an HMAC of a constant, or 'unkeyed'), so a process
-- started with another key, or none, refuses to append rows that would break the chain for good.
CREATE TABLE audit_meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
