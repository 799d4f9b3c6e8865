/**
 * @module cli/progress
 * A progress bar on stderr for long CLI work (backup run, backup verify, a restore's download),
 * drawn only when a person is at a terminal. It rides on the backup store: every byte a command
 * reads from or writes to the store passes a counter, so no core code needs to know about it.
 *
 *   verify  daily/…/vault-snapshot-20251126-020000.enc  [#########-----------]  45%  46.0 MiB of 102.3 MiB  38.1 MiB/s
 */
import type { BackupStore } from '../core/store/backup-store.js';
import { observedStore, type TransferWatch } from '../core/store/observed-store.js';
import { formatBytes } from '../format/human.js';
import type { Output } from './context.js';

const WIDTH = 20;
/** Redraw at most this often, so a fast local copy does not flood the terminal. */
const REDRAW_MS = 100;

export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private drawn = false;
  private closed = false;
  private readonly started: number;

  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly total: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  add(bytes: number): void {
    this.done += bytes;
    const t = this.now();
    // The last bytes always draw, so 100% shows even when the reader stops before the stream ends.
    const complete = this.total !== undefined && this.done >= this.total;
    if (complete || t - this.lastDraw >= REDRAW_MS) {
      this.lastDraw = t;
      this.draw();
    }
  }

  /** The final state, then a newline so the result line starts clean. */
  finish(): void {
    if (this.closed) return;
    this.draw();
    this.closed = true;
    this.out.write('\n');
  }

  /** After a failure: end the bar's line (if one was drawn) so the error starts on its own line. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.drawn) this.out.write('\n');
  }

  line(): string {
    const seconds = Math.max((this.now() - this.started) / 1000, 0.001);
    const rate = `${formatBytes(Math.round(this.done / seconds))}/s`;
    if (this.total === undefined || this.total <= 0) return `${this.label}  ${formatBytes(this.done)}  ${rate}`;
    const share = Math.min(1, this.done / this.total);
    const filled = Math.round(share * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`;
    return `${this.label}  ${bar}  ${String(Math.floor(share * 100)).padStart(3)}%  ${formatBytes(this.done)} of ${formatBytes(this.total)}  ${rate}`;
  }

  private draw(): void {
    // \r and erase-line: the bar redraws in place on one terminal line.
    this.out.write(`\r\u001b[2K${this.line()}`);
    this.drawn = true;
  }

  get visible(): boolean {
    return this.drawn;
  }
}

/** A bar as a transfer watch: drawn per chunk, finished at the end, abandoned if the stream broke. */
function watching(bar: ProgressBar): TransferWatch {
  return { add: (bytes) => bar.add(bytes), finished: () => bar.finish(), closed: () => bar.abandon() };
}

/** `store` with a progress bar on every download (`get`) and upload (`put`); all else passes through. */
export function withProgress(store: BackupStore, out: Output): BackupStore {
  return observedStore(store, {
    download: (key, size) => watching(new ProgressBar(out, `download ${key}`, size)),
    upload: (key) => watching(new ProgressBar(out, `upload ${key}`, undefined)),
  });
}
