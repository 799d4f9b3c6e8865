/**
 * @module backup/run-lease
 * Who owns a backup or restore run, told by a lease instead of `host:pid`. In a container a
 * restarted bot usually gets the same pid (a dead run looked alive) and a recreated one a new
 * hostname (a dead run looked like "another host", alive forever). Now each engine holds a lease
 * row while it works and renews its heartbeat every `heartbeatMs`; a run whose lease is missing or
 * older than `staleAfterMs` is dead, whatever host or pid wrote it.
 *
 * The heartbeat is best-effort: a locked or full database only delays it (and a lease that cannot
 * be renewed for `staleAfterMs` is rightly taken for dead by the next process that can write).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { withBusyTimeout } from '../db/busy-timeout.js';

/** A heartbeat waits this long for a locked database, not the connection's full busy timeout. */
const BEAT_BUSY_MS = 250;

export const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_STALE_AFTER_MS = 60_000;

export interface LeaseOptions {
  /** How often the heartbeat is renewed while work is held; default 10 s. */
  heartbeatMs?: number;
  /** A heartbeat older than this means the owner is dead; default 60 s. */
  staleAfterMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Called after every heartbeat (the engine retries its pending writes there). */
  onBeat?: () => void;
}

/** A lease token: a UUID, safe in file names and unique across hosts and restarts. */
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isLeaseToken(text: string): boolean {
  return TOKEN.test(text);
}

export class RunLease {
  /** Written as the `owner` of this engine's runs and into its work-file names. */
  readonly token = randomUUID();
  /** For people reading the table: which process held it. */
  readonly holder = `${hostname()}:${process.pid}`;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  private readonly clock: Clock;
  private holds = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database.Database, private readonly opts: LeaseOptions = {}) {
    this.heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.clock = opts.clock ?? systemClock;
  }

  /** Whether this engine is working (holding its lease) right now. */
  get held(): boolean {
    return this.holds > 0;
  }

  /**
   * Marks work as started: the heartbeat is written now and renewed until every hold is released.
   * Returns the release function (calling it twice is harmless).
   */
  hold(): () => void {
    this.holds += 1;
    if (this.holds === 1) {
      this.beat();
      this.timer = setInterval(() => this.beat(), this.heartbeatMs);
      this.timer.unref();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.holds > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
      this.quietly('drop the run lease', () => this.db.prepare(`DELETE FROM run_leases WHERE token = ?`).run(this.token));
    };
  }

  /** Renews the heartbeat (also called by the timer). Never throws. */
  beat(): void {
    this.quietly('renew the run lease', () =>
      this.db
        .prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, ?, ?) ON CONFLICT (token) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`)
        .run(this.token, this.holder, this.clock().toISOString()),
    );
    this.opts.onBeat?.();
  }

  /**
   * Whether the owner of a run is alive: this engine while it holds its lease, or another whose
   * heartbeat is fresh. A missing lease, an old `host:pid` owner or a stale heartbeat is dead.
   */
  isAlive(owner: string | null): boolean {
    if (owner === null || !isLeaseToken(owner)) return false;
    if (owner === this.token) return this.held;
    const row = this.db.prepare(`SELECT heartbeat_at FROM run_leases WHERE token = ?`).get(owner) as { heartbeat_at: string } | undefined;
    if (!row) return false;
    return this.clock().getTime() - Date.parse(row.heartbeat_at) <= this.staleAfterMs;
  }

  /**
   * Whether another process holds a live lease right now (a row with a fresh heartbeat that is not
   * this engine's), whatever its work: backup, restore, verify, a backup-key rotation. Store-wide
   * sweeps of temporary files run only when this is false: a live holder's staging object may be
   * mid-copy even though no backup run row says `running`.
   */
  othersAlive(): boolean {
    const cutoff = new Date(this.clock().getTime() - this.staleAfterMs).toISOString();
    const row = this.db.prepare(`SELECT 1 AS live FROM run_leases WHERE heartbeat_at >= ? AND token != ? LIMIT 1`).get(cutoff, this.token);
    return row !== undefined;
  }

  /**
   * Forgets leases of owners dead for a day (one row per crashed process would pile up). Their
   * runs were reaped long before: a run's owner counts as dead after `staleAfterMs`.
   */
  pruneDead(olderThanMs = 86_400_000): void {
    const cutoff = new Date(this.clock().getTime() - Math.max(olderThanMs, this.staleAfterMs)).toISOString();
    this.quietly('forget dead run leases', () => this.db.prepare(`DELETE FROM run_leases WHERE heartbeat_at < ? AND token != ?`).run(cutoff, this.token));
  }

  private quietly(what: string, write: () => unknown): void {
    try {
      withBusyTimeout(this.db, BEAT_BUSY_MS, write);
    } catch (error) {
      this.opts.logger?.warn({ err: error }, `could not ${what}; will try again`);
    }
  }
}
