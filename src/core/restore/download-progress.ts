/**
 * @module restore/download-progress
 * Progress of a long download, as plain lines for whoever watches (the request's Slack thread):
 *
 *   Downloading daily/…/vault-snapshot-20251126-020000.enc: 412.0 MiB of 1.0 GiB (40 %), 95.1 MiB/s
 *
 * It rides on the backup store, as the CLI's progress bar does: `withDownloadProgress` counts the
 * bytes of every `get`, so the restore code itself knows nothing about it. A line is reported at
 * most once per interval (default 5 s), the first only after one whole interval, so a restore that
 * finishes within it says nothing; the finished state is not reported (the result says it).
 */
import { observedStore } from '../store/observed-store.js';
import { formatBytes } from '../../format/human.js';
import type { BackupStore } from '../store/backup-store.js';

export const PROGRESS_INTERVAL_MS = 5_000;

export interface ProgressOptions {
  /** At most one line per this many ms (default 5 s). */
  intervalMs?: number;
  /** Milliseconds on a monotonic clock (tests inject one). */
  now?: () => number;
}

/** Counts bytes and decides when a line is due; `report` is called with each line, never awaited. */
export class TransferProgress {
  private done = 0;
  private readonly started: number;
  private last: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly report: (line: string) => unknown,
    o: ProgressOptions = {},
  ) {
    this.now = o.now ?? (() => performance.now());
    this.intervalMs = o.intervalMs ?? PROGRESS_INTERVAL_MS;
    this.started = this.now();
    this.last = this.started;
  }

  add(bytes: number): void {
    this.done += bytes;
    const t = this.now();
    if (this.total !== undefined && this.done >= this.total) return;
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    try {
      // A watcher that fails (Slack down) never stops the work it watches.
      void Promise.resolve(this.report(this.line(t))).catch(() => undefined);
    } catch {
      // as above
    }
  }

  line(t: number = this.now()): string {
    const seconds = Math.max((t - this.started) / 1000, 0.001);
    const rate = `${formatBytes(Math.round(this.done / seconds))}/s`;
    if (this.total === undefined || this.total <= 0) return `${this.label}: ${formatBytes(this.done)}, ${rate}`;
    const percent = Math.min(100, Math.floor((this.done / this.total) * 100));
    return `${this.label}: ${formatBytes(this.done)} of ${formatBytes(this.total)} (${percent} %), ${rate}`;
  }
}

/** `store` whose downloads (`get`) report progress lines through `report`; everything else passes through. */
export function withDownloadProgress(store: BackupStore, report: (line: string) => unknown, o: ProgressOptions = {}): BackupStore {
  return observedStore(store, { download: (key, size) => new TransferProgress(`Downloading ${key}`, size, report, o) });
}
