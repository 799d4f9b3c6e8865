/**
 * @module test/core/store/backup-store-contract
 * The one conformance suite every BackupStore must pass (after restic's backend/test/suite.go).
 * Each implementation's test file calls `describeBackupStoreContract` with a factory that opens a
 * fresh, empty store and a way to see the raw names underneath it, temporary ones included.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupStore, ObjectMetadata } from '../../../src/core/store/backup-store.js';
import { isCoreError } from '../../../src/core/errors.js';

export interface StoreUnderTest {
  store: BackupStore;
  /** Every name under the store's root, temporary and staging names and sidecars included. */
  rawNames(): Promise<string[]>;
  /** Multipart uploads left unfinished (S3); always 0 where there are none. */
  pendingUploads(): Promise<number>;
  /** Creates objects fast (e.g. raw PutObject); defaults to parallel `put`s. */
  seed?(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The smallest multipart part size S3 allows; factories pass it so a few MiB cross part boundaries. */
export const TEST_PART_SIZE = 5 * 1024 * 1024;

export const DESIGN_METADATA: ObjectMetadata = {
  sha256: 'a'.repeat(64),
  'plain-sha256': 'b'.repeat(64),
  'plain-size': '123456',
  'key-id': 'k2025-11',
  format: 'vcbk1',
  'vault-version': '1.19.3',
  'created-at': '2025-11-26T02:00:00.000Z',
  kind: 'daily',
  'audit-head': 'c'.repeat(64),
};

const KEY = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';

/** A body delivered in uneven chunks, as a network stream would. */
export function chunked(bytes: Buffer, chunkSize = 64 * 1024 + 7): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  return Readable.from(chunks);
}

/** Sends `goodBytes` bytes, then fails like a dropped Vault connection. */
export function failingBody(goodBytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= goodBytes) {
        this.destroy(new Error('connection reset by Vault'));
        return;
      }
      const chunk = randomBytes(Math.min(256 * 1024, goodBytes - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function listKeys(store: BackupStore, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(prefix)) keys.push(object.key);
  return keys.sort();
}

async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await task(item);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isCoreError(error) ? error.code : error).toBe(code);
}

export function describeBackupStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`BackupStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: BackupStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    it.each([
      ['0 bytes', 0],
      ['a small object', 1000],
      ['several MiB, crossing multipart part boundaries', 2 * TEST_PART_SIZE + 12345],
    ])('stores and returns %s byte for byte', async (_label, length) => {
      const bytes = randomBytes(length);
      const result = await store.put(KEY, chunked(bytes), () => DESIGN_METADATA);
      expect(result.size).toBe(length);
      expect((await readAll(await store.get(KEY))).equals(bytes)).toBe(true);
      const listed = [];
      for await (const object of store.list()) listed.push(object);
      expect(listed).toEqual([{ key: KEY, size: length }]);
    });

    it('keeps the metadata, asked for once after the whole body was read', async () => {
      const bytes = randomBytes(300_000);
      let bytesReadWhenAsked = -1;
      let calls = 0;
      let read = 0;
      // Count what the store pulls (a 'data' listener would start the flow before the store reads).
      const body = Readable.from(
        (async function* () {
          for await (const chunk of chunked(bytes)) {
            read += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
        })(),
      );
      await store.put(KEY, body, () => {
        calls += 1;
        bytesReadWhenAsked = read;
        return DESIGN_METADATA;
      });
      expect(calls).toBe(1);
      expect(bytesReadWhenAsked).toBe(bytes.length);
      expect(await store.stat(KEY)).toEqual({ key: KEY, size: bytes.length, metadata: DESIGN_METADATA });
    });

    it('leaves nothing behind when the body fails half-way', async () => {
      // Past one part, so an S3 multipart upload has really started when the stream breaks.
      const body = failingBody(TEST_PART_SIZE + 1024 * 1024);
      let metadataAsked = false;
      await expectCode(
        store.put(KEY, body, () => {
          metadataAsked = true;
          return DESIGN_METADATA;
        }),
        'store_failed',
      );
      expect(metadataAsked).toBe(false);
      expect(await store.stat(KEY)).toBeUndefined();
      expect(await listKeys(store)).toEqual([]);
      expect(await subject.rawNames()).toEqual([]);
      expect(await subject.pendingUploads()).toBe(0);
    });

    it('leaves nothing behind when the metadata cannot be produced', async () => {
      const failing = (): ObjectMetadata => {
        throw new Error('hash not available');
      };
      await expect(store.put(KEY, chunked(randomBytes(5000)), failing)).rejects.toThrow();
      expect(await store.stat(KEY)).toBeUndefined();
      expect(await subject.rawNames()).toEqual([]);
    });

    it('lists every object, more than 1000 of them, and filters by prefix', { timeout: 120_000 }, async () => {
      const daily = Array.from({ length: 1050 }, (_, i) => `daily/2025-11-${String((i % 28) + 1).padStart(2, '0')}/obj-${i}.enc`);
      const monthly = ['monthly/2025-10/a.enc', 'monthly/2025-11/b.enc'];
      const keys = [...daily, ...monthly];
      if (subject.seed) await subject.seed(keys);
      else await inParallel(keys, 16, (key) => store.put(key, Readable.from([Buffer.from(key)]), () => ({ kind: 'daily' })));
      expect(await listKeys(store)).toEqual([...keys].sort());
      expect(await listKeys(store, 'daily/')).toEqual([...daily].sort());
      expect(await listKeys(store, 'monthly/2025-1')).toEqual(monthly);
      expect(await listKeys(store, 'daily/2025-11-01/')).toHaveLength(daily.filter((k) => k.startsWith('daily/2025-11-01/')).length);
      expect(await listKeys(store, 'pre-restore/')).toEqual([]);
    });

    it('deletes an object with its metadata, and deleting a missing key is fine', async () => {
      await store.put(KEY, chunked(randomBytes(2000)), () => DESIGN_METADATA);
      await store.delete(KEY);
      expect(await store.stat(KEY)).toBeUndefined();
      expect(await listKeys(store)).toEqual([]);
      expect((await subject.rawNames()).filter((n) => !n.endsWith('/'))).toEqual([]);
      await expect(store.delete(KEY)).resolves.toBeUndefined();
    });

    it('reports a missing key: get rejects with store_not_found, stat gives undefined', async () => {
      await expectCode(store.get('daily/2025-01-01/nope.enc'), 'store_not_found');
      expect(await store.stat('daily/2025-01-01/nope.enc')).toBeUndefined();
    });

    it.each(['../escape.enc', 'daily/../../escape.enc', '/etc/passwd', 'daily//x.enc', ''])(
      'refuses the key %j before touching anything',
      async (key) => {
        await expectCode(store.put(key, Readable.from([Buffer.from('x')]), () => ({})), 'invalid_input');
        await expectCode(store.get(key), 'invalid_input');
        await expectCode(store.stat(key), 'invalid_input');
        await expectCode(store.delete(key), 'invalid_input');
        expect(await subject.rawNames()).toEqual([]);
      },
    );

    it('replaces an object written again under the same key', async () => {
      await store.put(KEY, chunked(randomBytes(100)), () => ({ ...DESIGN_METADATA, kind: 'manual' }));
      const second = randomBytes(200);
      await store.put(KEY, chunked(second), () => DESIGN_METADATA);
      expect((await readAll(await store.get(KEY))).equals(second)).toBe(true);
      expect(await store.stat(KEY)).toEqual({ key: KEY, size: 200, metadata: DESIGN_METADATA });
    });
  });
}
