/**
 * The folder store on a real temporary directory: the shared contract, then what only a folder
 * has (the sidecar file and its exact JSON, temporary files, paths outside the root).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderStore } from '../../../src/core/store/folder-store.js';
import { isCoreError } from '../../../src/core/errors.js';
import { DESIGN_METADATA, chunked, describeBackupStoreContract, failingBody, readAll } from './backup-store-contract.js';

/** Every file under `root`, as `/`-separated relative paths (directories left out). */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'folder-store-'));
}

describeBackupStoreContract('folder', async () => {
  const root = await tempRoot();
  const store = new FolderStore(join(root, 'backups'));
  return {
    store,
    rawNames: () => filesUnder(root),
    pendingUploads: async () => 0,
    close: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FolderStore', () => {
  let root: string;
  let store: FolderStore;
  beforeEach(async () => {
    root = await tempRoot();
    store = new FolderStore(join(root, 'backups'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const key = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';

  it('writes the object and a sidecar <file name>.json holding exactly the metadata, as strings', async () => {
    const bytes = randomBytes(4096);
    await store.put(key, chunked(bytes), () => DESIGN_METADATA);
    expect(await filesUnder(join(root, 'backups'))).toEqual([key, `${key}.json`]);
    expect((await readFile(join(root, 'backups', key))).equals(bytes)).toBe(true);
    const sidecar: unknown = JSON.parse(await readFile(join(root, 'backups', `${key}.json`), 'utf8'));
    expect(sidecar).toEqual(DESIGN_METADATA);
    expect(Object.keys(sidecar as object).sort()).toEqual(
      ['audit-head', 'created-at', 'format', 'key-id', 'kind', 'plain-sha256', 'plain-size', 'sha256', 'vault-version'],
    );
  });

  it('reports its location as a file URL', () => {
    expect(store.location).toBe(`file://${join(root, 'backups')}`);
  });

  it('refuses ../ keys and writes nothing outside its folder', async () => {
    const error: unknown = await store.put('../outside.enc', Readable.from([Buffer.from('x')]), () => ({})).catch((e: unknown) => e);
    expect(isCoreError(error, 'invalid_input')).toBe(true);
    expect(await filesUnder(root)).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });

  it('does not list temporary files, sidecars, or anything from an interrupted write', async () => {
    await store.put(key, chunked(randomBytes(10)), () => DESIGN_METADATA);
    const day = join(root, 'backups', 'daily', '2025-11-26');
    await writeFile(join(day, '.tmp-0123abcd'), 'half a snapshot');
    await writeFile(join(day, 'orphan.enc.json'), '{}');
    const keys = [];
    for await (const object of store.list()) keys.push(object.key);
    expect(keys).toEqual([key]);
  });

  it('keeps an existing backup intact when a later write of another key fails', async () => {
    const bytes = randomBytes(1000);
    await store.put(key, chunked(bytes), () => DESIGN_METADATA);
    const other = 'daily/2025-11-26/vault-snapshot-20251126-030000.enc';
    await expect(store.put(other, failingBody(100_000), () => DESIGN_METADATA)).rejects.toThrow();
    expect(await filesUnder(join(root, 'backups'))).toEqual([key, `${key}.json`]);
    expect((await readAll(await store.get(key))).equals(bytes)).toBe(true);
  });

  it('gives an object without a sidecar (copied in by hand) empty metadata', async () => {
    await mkdir(join(root, 'backups', 'manual'), { recursive: true });
    await writeFile(join(root, 'backups', 'manual', 'copied.enc'), 'abc');
    expect(await store.stat('manual/copied.enc')).toEqual({ key: 'manual/copied.enc', size: 3, metadata: {} });
  });

  it('reads an object back to the same size and sha256 as its bytes, whatever its length', async () => {
    for (const length of [0, 1, 256 * 1024, 256 * 1024 + 1, 3 * 256 * 1024 + 77]) {
      const bytes = randomBytes(length);
      await store.put(key, chunked(bytes), () => DESIGN_METADATA, { replaceExisting: true });
      expect(await store.digest(key)).toEqual({ size: length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const missing: unknown = await store.digest('daily/2025-11-27/none.enc').catch((e: unknown) => e);
    expect(isCoreError(missing, 'store_not_found')).toBe(true);
    const folder: unknown = await store.digest('daily/2025-11-26').catch((e: unknown) => e);
    expect(isCoreError(folder, 'store_not_found')).toBe(true);
  });

  it('writes a backup larger than its background flush interval (64 MiB) whole, in both write paths', async () => {
    const block = randomBytes(1024 * 1024);
    const expected = createHash('sha256');
    for (let i = 0; i < 200; i += 1) expected.update(block);
    // Pieces of one and of several buffers: the encryptor hands over ciphertext and tag separately.
    async function* body() {
      for (let i = 0; i < 200; i += 1) {
        if (i % 2 === 0) yield block;
        else {
          yield block.subarray(0, 1000);
          yield block.subarray(1000);
        }
      }
    }
    await store.put(key, Readable.from(body(), { objectMode: false }), () => DESIGN_METADATA);
    expect(await store.digest(key)).toEqual({ size: 200 * 1024 * 1024, sha256: expected.digest('hex') });
    expect(await filesUnder(join(root, 'backups'))).toEqual([key, `${key}.json`]);
  });

  it('treats a folder name as a missing object', async () => {
    await store.put(key, chunked(randomBytes(10)), () => DESIGN_METADATA);
    const error: unknown = await store.get('daily/2025-11-26').catch((e: unknown) => e);
    expect(isCoreError(error, 'store_not_found')).toBe(true);
    expect(await store.stat('daily/2025-11-26')).toBeUndefined();
  });

  it('a folder that does not exist is an error naming it and BACKUP_STORE, not an empty listing (issue 7)', async () => {
    const keys = [];
    const listing = async () => { for await (const object of store.list()) keys.push(object); };
    await expect(listing()).rejects.toThrow(/^The backup folder .* does not exist \(no such folder\); check BACKUP_STORE\.$/);
  });

  it('a store path that is a file, or lies under a file, is an error naming the path and the OS error, not an empty listing', async () => {
    const file = join(root, 'afile');
    await writeFile(file, 'not a folder');
    for (const path of [file, join(file, 'backups')]) {
      const keys = [];
      const listing = async () => { for await (const object of new FolderStore(path).list()) keys.push(object); };
      const error: unknown = await listing().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(`The backup folder ${path} is not a folder`);
      expect(message).toContain('ENOTDIR: not a directory');
      expect(message).toContain('check BACKUP_STORE');
    }
  });
});
