/**
 * The progress wrappers (the CLI's bar on a terminal, a restore's lines in Slack) must hand the
 * real store everything it is given: a backup-key rotation's `replaceExisting` is what keeps a
 * failed replace from deleting the original, and `sweepLeftovers` is how a killed run's files go.
 * Before they shared one wrapper, the CLI's bar dropped both.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withProgress } from '../../../src/cli/progress.js';
import { withDownloadProgress } from '../../../src/core/restore/download-progress.js';
import { hashStoredObject } from '../../../src/core/backup/verify-stored.js';
import { observedStore } from '../../../src/core/store/observed-store.js';
import type { BackupStore, ObjectMetadata, PutOptions } from '../../../src/core/store/backup-store.js';
import type { Output } from '../../../src/cli/context.js';

/** A store at the public interface that remembers what reached it. */
function recordingStore() {
  const objects = new Map<string, Buffer>();
  const seen = { putOptions: [] as Array<PutOptions | undefined>, sweeps: [] as number[], digests: 0 };
  const store: BackupStore = {
    location: 'file:///recording',
    async put(key: string, body: Readable, _metadata: () => ObjectMetadata, options?: PutOptions) {
      seen.putOptions.push(options);
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(chunk as Buffer);
      objects.set(key, Buffer.concat(parts));
      return { size: objects.get(key)?.length ?? 0 };
    },
    async get(key: string) {
      return Readable.from([objects.get(key) ?? Buffer.alloc(0)]);
    },
    async stat(key: string) {
      const bytes = objects.get(key);
      return bytes ? { key, size: bytes.length, metadata: {} } : undefined;
    },
    async *list() {
      for (const [key, bytes] of objects) yield { key, size: bytes.length };
    },
    async delete(key: string) {
      objects.delete(key);
    },
    async sweepLeftovers(olderThanMs: number) {
      seen.sweeps.push(olderThanMs);
      return 3;
    },
    async digest(key: string) {
      seen.digests += 1;
      const bytes = objects.get(key) ?? Buffer.alloc(0);
      return { size: bytes.length, sha256: sha(bytes) };
    },
  };
  return { store, seen };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const silent: Output = { write: () => true };

describe.each([
  ['the CLI progress bar', (s: BackupStore) => withProgress(s, silent)],
  ['a restore’s progress lines', (s: BackupStore) => withDownloadProgress(s, () => undefined, { intervalMs: 0 })],
])('%s', (_name, wrap) => {
  it('passes put options and the leftover sweep through to the real store, and the bytes unchanged', async () => {
    const { store, seen } = recordingStore();
    const wrapped = wrap(store);
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    await wrapped.put('daily/k.enc', Readable.from([bytes]), () => ({}), { replaceExisting: true });
    expect(seen.putOptions).toEqual([{ replaceExisting: true }]);
    expect(await wrapped.sweepLeftovers?.(60_000)).toBe(3);
    expect(seen.sweeps).toEqual([60_000]);
    const parts: Buffer[] = [];
    for await (const chunk of await wrapped.get('daily/k.enc')) parts.push(chunk as Buffer);
    expect(sha(Buffer.concat(parts))).toBe(sha(bytes));
  });
});

describe('reading back through a wrapper', () => {
  it('counts the read-back of a verify in the progress display instead of taking the store’s uncounted shortcut', async () => {
    const { store, seen } = recordingStore();
    const bytes = Buffer.alloc(2 * 1024 * 1024, 3);
    await store.put('daily/k.enc', Readable.from([bytes]), () => ({}));
    store.get = async () => Readable.from([bytes.subarray(0, 1024 * 1024), bytes.subarray(1024 * 1024)]);
    const lines: string[] = [];
    const wrapped = withDownloadProgress(store, (line) => lines.push(line), { intervalMs: 0 });
    expect(await hashStoredObject(wrapped, 'daily/k.enc')).toEqual({ size: bytes.length, sha256: sha(bytes) });
    expect(seen.digests).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^Downloading daily\/k\.enc: 1\.0 MiB of 2\.0 MiB \(50 %\)/)]);
  });

  it('lets an unwatched read-back use the store’s own digest', async () => {
    const { store, seen } = recordingStore();
    const bytes = Buffer.alloc(1000, 9);
    await store.put('daily/k.enc', Readable.from([bytes]), () => ({}));
    expect(await hashStoredObject(observedStore(store, {}), 'daily/k.enc')).toEqual({ size: 1000, sha256: sha(bytes) });
    expect(seen.digests).toBe(1);
  });
});
