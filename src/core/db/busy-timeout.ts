/**
 * @module db/busy-timeout
 * Runs a database call with a shorter busy timeout than the connection's. Background writes (the
 * run-lease heartbeat, retrying pending writes) must not hold the event loop for the full 5 s
 * each time while another connection keeps the database locked: better-sqlite3 waits
 * synchronously, and the bot must keep answering Slack meanwhile.
 */
import type { Database } from 'better-sqlite3';

export function withBusyTimeout<T>(db: Database, ms: number, fn: () => T): T {
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  // Never longer than the connection's own.
  db.pragma(`busy_timeout = ${Math.max(0, Math.min(previous, Math.floor(ms)))}`);
  try {
    return fn();
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}
