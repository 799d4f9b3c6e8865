/**
 * @module db/pending-writes
 * Database writes that must not be lost when the database cannot take them right now (another
 * connection holds the write lock past the busy timeout, or the disk is full). A failed write is
 * kept, in order, and retried by `flush()` — the engine flushes before every run and on every
 * heartbeat — so a failure is still audited and its run still closed once the database is back.
 *
 * Held in memory only: if the process dies before a flush, the writes are lost. What they would
 * have recorded is not: the run they close is still `running` under a lease nobody renews, so the
 * next process reports it as interrupted (audited, paged once) and deletes its uncatalogued object.
 *
 * @example
 * pending.attempt('audit backup.failed', () => audit.append(entry)); // false → kept for later
 * pending.flush(); // on the next tick
 */
import type { Logger } from 'pino';

interface PendingWrite {
  what: string;
  write: () => unknown;
}

export class PendingWrites {
  private readonly queue: PendingWrite[] = [];

  constructor(private readonly logger?: Logger) {}

  /** Writes not yet in the database. */
  get size(): number {
    return this.queue.length;
  }

  /** What the waiting writes are, in order ("audit backup.failed", "close the backup run"). */
  get waiting(): string[] {
    return this.queue.map((w) => w.what);
  }

  /**
   * Runs `write` now, unless earlier writes are still waiting (order is kept: it queues behind
   * them without blocking on the database again). A write that throws is kept for `flush`.
   * Returns true when it is in the database.
   */
  attempt(what: string, write: () => unknown): boolean {
    if (this.queue.length > 0) {
      this.queue.push({ what, write });
      return false;
    }
    try {
      write();
      return true;
    } catch (error) {
      this.logger?.error({ err: error, write: what }, `could not ${what} in the database; will retry when it can be written`);
      this.queue.push({ what, write });
      return false;
    }
  }

  /** Retries waiting writes in order, stopping at the first that still fails. Returns how many wait. */
  flush(): number {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      try {
        next.write();
      } catch {
        return this.queue.length;
      }
      this.queue.shift();
      this.logger?.info({ write: next.what }, 'a delayed database write went through');
    }
    return 0;
  }
}
