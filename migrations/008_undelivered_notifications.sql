-- Notifications that could not be delivered (issue 7 item 3). Pages and reports are delivered off
-- the work path with a bounded retry; one that still fails is kept here so `/vault status` and
-- `/metrics` show it, and it is summarised in the ops channel once Slack answers again
-- (`reported_at` set then). Only the plain summary is kept: notifications carry no secrets.
CREATE TABLE undelivered_notifications (
  id          INTEGER PRIMARY KEY,
  method      TEXT NOT NULL,
  summary     TEXT NOT NULL,
  attempts    INTEGER NOT NULL,
  first_at    TEXT NOT NULL,
  failed_at   TEXT NOT NULL,
  last_error  TEXT NOT NULL,
  reported_at TEXT
) STRICT;

CREATE INDEX undelivered_notifications_unreported ON undelivered_notifications (reported_at);
