/**
 * @module store/observed-store
 * A store whose downloads and uploads pass a byte counter, everything else forwarded untouched:
 * the CLI's progress bar and a restore's progress lines in Slack both ride on it. One wrapper, so
 * a store option or method added later (`replaceExisting`, `sweepLeftovers`) reaches the real
 * store whichever progress display is on — a wrapper that dropped `replaceExisting` would let a
 * failed backup-key replace delete the original.
 */
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { BackupStore } from './backup-store.js';

/** What watches one transfer: each chunk's length, then `finished` when the stream ended whole. */
export interface TransferWatch {
  add(bytes: number): void;
  finished?(): void;
  /** The stream closed, whole or not. */
  closed?(): void;
}

export interface StoreObservers {
  /** Called per download with its key and size (when the store knows it); absent: not counted. */
  download?(key: string, size: number | undefined): TransferWatch;
  /** Called per upload with its key; absent: not counted. */
  upload?(key: string): TransferWatch;
}

export function observedStore(store: BackupStore, observers: StoreObservers): BackupStore {
  const { download, upload } = observers;
  const sweepLeftovers = store.sweepLeftovers?.bind(store);
  const digest = store.digest?.bind(store);
  return {
    location: store.location,
    stat: (key) => store.stat(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
    ...(sweepLeftovers ? { sweepLeftovers } : {}),
    // A counted download must go through `get`; without a download observer, reading back may
    // take the store's own faster way.
    ...(digest && !download ? { digest } : {}),
    async get(key) {
      if (!download) return store.get(key);
      const size = (await store.stat(key))?.size;
      return counted(await store.get(key), download(key, size));
    },
    put(key, body, metadata, options) {
      return store.put(key, upload ? counted(body, upload(key)) : body, metadata, options);
    },
  };
}

function counted(source: Readable, watch: TransferWatch): Readable {
  const counter = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _enc, done) {
      watch.add(chunk.length);
      done(null, chunk);
    },
    flush(done) {
      watch.finished?.();
      done();
    },
  }).on('close', () => watch.closed?.());
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}
