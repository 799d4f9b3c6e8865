/**
 * @module health/liveness
 * What `/healthz` needs to decide whether this process still keeps its promises: the database
 * takes a write (migration 011's one-row table), and the health scheduler has finished a round
 * recently enough. A sealed or unreachable Vault is not a liveness failure — that is exactly
 * when the bot must stay up to page.
 */
import type Database from 'better-sqlite3';
import cron from 'node-cron';

/** How much the probe grows the database by, for a moment: a few pages. */
export const PROBE_GROWTH_BYTES = 16 * 1024;

/**
 * Throws when the database cannot be written (read-only, full, locked past the busy timeout).
 * Rewriting one small row allocates no page, so it succeeds on a full database; the probe first
 * writes a value a few pages long (which must allocate pages, from the free list or by growing the
 * file) and then shrinks it again, in one transaction: what it proves is that the next backup row
 * or audit line has room.
 */
export function probeDatabaseWrite(db: Database.Database, now: Date): void {
  const stamp = now.toISOString();
  db.transaction(() => {
    db.prepare(`INSERT INTO liveness (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`).run(stamp.padEnd(PROBE_GROWTH_BYTES, ' '));
    db.prepare(`UPDATE liveness SET at = ? WHERE id = 1`).run(stamp);
  }).immediate();
}

/** A round is overdue after this long without one finishing (HEALTH_CRON defaults to every minute). */
export const STALL_AFTER_MS = 10 * 60_000;

/**
 * Why the scheduler looks stalled, or undefined when it is fine. Before the first round the
 * process's start time counts, so a scheduler that never ran is noticed too.
 */
export function schedulerStall(lastFinishedAt: Date | undefined, startedAt: Date, now: Date, stallAfterMs = STALL_AFTER_MS): string | undefined {
  const since = lastFinishedAt ?? startedAt;
  const quietMs = now.getTime() - since.getTime();
  if (quietMs <= stallAfterMs) return undefined;
  const minutes = Math.floor(quietMs / 60_000);
  return lastFinishedAt ? `no health round has finished for ${minutes} min` : `no health round has finished since start-up ${minutes} min ago`;
}

/**
 * How long without a finished round counts as stalled for this HEALTH_CRON: three times its longest
 * gap between runs (over the next 60), and never less than 10 minutes — so a quarter-hourly
 * schedule is not called stalled between its rounds.
 */
export function stallAfterMsFor(healthCron: string): number {
  const task = cron.createTask(healthCron, () => undefined, { timezone: 'Etc/UTC' });
  try {
    const runs = task.getNextRuns(60).map((d) => d.getTime());
    let longest = 0;
    for (let i = 1; i < runs.length; i += 1) longest = Math.max(longest, (runs[i] ?? 0) - (runs[i - 1] ?? 0));
    return Math.max(STALL_AFTER_MS, 3 * longest);
  } finally {
    void task.destroy();
  }
}
