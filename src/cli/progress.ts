/**
 * @module cli/progress
 * A progress bar on stderr for long CLI work (backup run, backup verify, a restore's download),
 * drawn only when a person is at a terminal. It rides on the backup store: every byte a command
 * reads from or writes to the store passes a counter, so no core code needs to know about it.
 *
 *   verify  daily/…/vault-snapshot-20251126-020000.enc  [#########-----------]  45%  46.0 MiB of 102.3 MiB  38.1 MiB/s
 */
import { Transform, type Readable } from 'node:stream';
import type { BackupStore, ObjectMetadata } from '../core/store/backup-store.js';
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

function counting(bar: ProgressBar): Transform {
  return new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _enc, done) {
      bar.add(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      bar.finish();
      done();
    },
  }).on('close', () => bar.abandon());
}

/** `store` with a progress bar on every download (`get`) and upload (`put`). */
export function withProgress(store: BackupStore, out: Output): BackupStore {
  return {
    location: store.location,
    stat: (key) => store.stat(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
    async get(key: string): Promise<Readable> {
      const size = (await store.stat(key))?.size;
      const source = await store.get(key);
      const bar = new ProgressBar(out, `download ${key}`, size);
      const counted = counting(bar);
      source.on('error', (error) => counted.destroy(error));
      return source.pipe(counted);
    },
    put(key: string, body: Readable, metadata: () => ObjectMetadata) {
      const bar = new ProgressBar(out, `upload ${key}`, undefined);
      const counted = counting(bar);
      body.on('error', (error) => counted.destroy(error));
      return store.put(key, body.pipe(counted), metadata);
    },
  };
}
