/**
 * @module drills/recovery-estimate
 * The recovery time to plan with, shown on every restore request: from measured restores, restore
 * tests, drills and recoveries (the `restores` table) of a backup of similar size (half to twice
 * the size): their median; else scaled by size from measurements of other sizes; else "no
 * measurement yet". The estimate and the actual time are both recorded (migration 015), so an
 * auditor can see how good the estimates are.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { formatDuration } from '../actions/format-duration.js';

export interface RecoveryEstimate {
  /** null: no measurement yet. */
  ms: number | null;
  /** How it was estimated, one sentence fragment. */
  basis: string;
}

interface Measured { ms: number; bytes: number }

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export class RecoveryEstimates {
  private readonly now: Clock;

  constructor(private readonly db: Database.Database, opts: { clock?: Clock } = {}) {
    this.now = opts.clock ?? systemClock;
  }

  estimate(sizeBytes: number): RecoveryEstimate {
    const measured = (this.db
      .prepare(
        `SELECT r.recovery_ms AS ms, b.stored_bytes AS bytes FROM restores r JOIN backups b ON b.key = r.key
         WHERE r.status = 'succeeded' AND r.dry_run = 0 AND r.recovery_ms IS NOT NULL AND b.stored_bytes > 0
         ORDER BY r.id DESC LIMIT 50`,
      )
      .all() as Measured[]);
    if (measured.length === 0) return { ms: null, basis: 'no measurement yet' };
    const similar = measured.filter((m) => m.bytes >= sizeBytes / 2 && m.bytes <= sizeBytes * 2);
    if (similar.length > 0) {
      return { ms: Math.round(median(similar.map((m) => m.ms))), basis: `median of ${similar.length} measured restore${similar.length === 1 ? '' : 's'} of similar size` };
    }
    const perByte = median(measured.map((m) => m.ms / m.bytes));
    return { ms: Math.round(perByte * sizeBytes), basis: `scaled by size from ${measured.length} measured restore${measured.length === 1 ? '' : 's'} of other sizes` };
  }

  /** `~41.0 s (median of 3 measured restores of similar size)` or `no measurement yet`. */
  static describe(e: RecoveryEstimate): string {
    return e.ms === null ? e.basis : `~${formatDuration(e.ms)} (${e.basis})`;
  }

  /** Records the estimate shown and the time the restore took (null when it failed before finishing). */
  record(r: { requestId?: string; key: string; sizeBytes: number; estimate: RecoveryEstimate; estimatedAt?: string; actualMs: number | null }): void {
    const now = this.now().toISOString();
    this.db
      .prepare(`INSERT INTO recovery_estimates (request_id, key, size_bytes, estimate_ms, basis, actual_ms, estimated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(r.requestId ?? null, r.key, r.sizeBytes, r.estimate.ms, r.estimate.basis, r.actualMs, r.estimatedAt ?? now, now);
  }
}
