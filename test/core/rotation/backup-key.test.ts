/**
 * Backup-key rotation against a real folder store: every backup ends under the new key and
 * decrypts with the new key alone (old key removed from the keyring), the catalogue and metadata
 * follow, each object is audited once, and a run killed half-way — aborted between objects, or
 * failing inside a replace — resumes without redoing finished objects and without ever leaving
 * a backup that neither key can read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createDecryptStream, detectFormat } from '../../../src/core/crypto/decrypt-stream.js';
import { encryptLegacy } from '../../../src/core/crypto/legacy.js';
import { keyringFromKeys, type Keyring } from '../../../src/core/crypto/keyring.js';
import { isCoreError } from '../../../src/core/errors.js';
import { planBackupKeyRotation, rotateBackupKey, type BackupKeyDeps } from '../../../src/core/rotation/rotate-backup-key.js';
import type { BackupStore } from '../../../src/core/store/backup-store.js';
import { FolderStore } from '../../../src/core/store/folder-store.js';
import { discard } from '../../../src/core/streams/discard.js';
import { HashingStream } from '../../../src/core/streams/hashing-stream.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

async function plainSha(store: BackupStore, keyring: Keyring, key: string): Promise<string> {
  const plain = new HashingStream();
  await pipeline(await store.get(key), createDecryptStream(keyring), plain, discard());
  return plain.digest();
}

async function backupKeys(store: BackupStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list()) keys.push(o.key);
  return keys.sort();
}

describe('rotate backup-key', () => {
  let f: BackupFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  async function setUp(count: number) {
    f = await backupFixture({ vault: { snapshotSize: 32 * 1024 } });
    for (let i = 0; i < count; i += 1) expect((await f.engine.backup('manual', 'U0CAROL')).ok).toBe(true);
    const k1 = { id: 'k1', key: f.key };
    const k2 = { id: 'k2', key: randomBytes(32) };
    const both = keyringFromKeys([k1, k2], 'k2');
    const newOnly = keyringFromKeys([k2]);
    const oldOnly = keyringFromKeys([k1]);
    const store = f.engine.store;
    const keys = await backupKeys(store);
    const plain = new Map<string, string>();
    for (const key of keys) plain.set(key, await plainSha(store, oldOnly, key));
    const deps = (over: Partial<BackupKeyDeps> = {}): BackupKeyDeps => ({
      store, keyring: both, catalogue: f!.engine.catalogue, audit: f!.audit, clock: () => new Date(), ...over,
    });
    return { store, keys, plain, both, newOnly, oldOnly, deps };
  }

  it('re-encrypts every backup under the active key, verified, catalogued and audited once each', async () => {
    const { store, keys, plain, newOnly, deps } = await setUp(3);
    expect(keys).toHaveLength(3);
    const params = await planBackupKeyRotation(deps());
    expect(params).toMatchObject({ activeKeyId: 'k2', fromKeys: { k1: 3 }, objects: 3 });

    const progress: number[] = [];
    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL', progressEvery: 2, onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({ reencrypted: 3, caughtUp: 0, remainingKeyIds: [] });
    expect(progress).toEqual([2]);

    expect(await backupKeys(store)).toEqual(keys);
    for (const key of keys) {
      expect(await plainSha(store, newOnly, key)).toBe(plain.get(key));
      const stat = await store.stat(key);
      expect(stat?.metadata['key-id']).toBe('k2');
      const row = f!.engine.catalogue.get(key);
      expect(row?.keyId).toBe('k2');
      expect(row?.sha256).toBe(stat?.metadata.sha256);
    }
    const perObject = f!.audit.tail(200).filter((r) => r.event === 'rotation.backup_key.object');
    expect(perObject.map((r) => r.target).sort()).toEqual(keys);
    await expect(planBackupKeyRotation(deps())).rejects.toThrow(/already under the active key "k2"/);
  });

  it('refuses when the active key is the only key', async () => {
    const { deps, oldOnly } = await setUp(1);
    await expect(planBackupKeyRotation(deps({ keyring: oldOnly }))).rejects.toThrow(/BACKUP_KEYS holds only the active key "k1"/);
  });

  it('resumes a run killed half-way without redoing finished objects or losing a backup', async () => {
    const { store, keys, plain, both, newOnly, deps } = await setUp(4);
    const params = await planBackupKeyRotation(deps());

    // Kill 1: aborted right after the first object finished.
    const stop = new AbortController();
    await expect(rotateBackupKey(deps(), params, { actor: 'U0CAROL', signal: stop.signal, progressEvery: 1, onProgress: () => stop.abort(new Error('killed')) })).rejects.toThrow('killed');

    // Kill 2: the store fails while replacing the next backup with its verified copy.
    let replaces = 0;
    const failing: BackupStore = {
      location: store.location,
      put: (key, body, metadata, options) => {
        if (!key.startsWith('rotating/') && (replaces += 1) === 1) {
          body.resume();
          return Promise.reject(new Error('disk gone'));
        }
        return store.put(key, body, metadata, options);
      },
      get: (key) => store.get(key),
      stat: (key) => store.stat(key),
      list: (prefix) => store.list(prefix),
      delete: (key) => store.delete(key),
    };
    const second = await rotateBackupKey(deps({ store: failing }), params, { actor: 'U0CAROL' }).catch((e: unknown) => e);
    expect(isCoreError(second) && second.userMessage).toMatch(/Stopped at \S+ after re-encrypting 0 of 3 backups: .*is still there under key "k1", which BACKUP_KEYS holds/);

    // Between runs: every backup is readable with one of the configured keys, none is lost.
    expect((await backupKeys(store)).filter((k) => !k.startsWith('rotating/'))).toEqual(keys);
    for (const key of keys) expect(await plainSha(store, both, key)).toBe(plain.get(key));

    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    expect(report.reencrypted).toBe(3);
    expect(await backupKeys(store)).toEqual(keys);
    for (const key of keys) expect(await plainSha(store, newOnly, key)).toBe(plain.get(key));
    const perObject = f!.audit.tail(500).filter((r) => r.event === 'rotation.backup_key.object').map((r) => r.target as string);
    expect(perObject.sort()).toEqual(keys);
    expect(f!.audit.tail(500).filter((r) => r.event === 'rotation.backup_key.object_failed')).toHaveLength(1);
  });

  it('a crash that left old bytes under new-key metadata is redone from the real header, never trusted and its verified copy never deleted', async () => {
    const { store, keys, plain, newOnly, deps } = await setUp(1);
    const key = keys[0]!;
    expect(store).toBeInstanceOf(FolderStore);
    const file = join((store as FolderStore).root, ...key.split('/'));
    const oldBytes = await readFile(file);
    const params = await planBackupKeyRotation(deps());
    await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    // What a kill between the sidecar's rename and the object's rename leaves (the order before
    // this fix): the verified new copy still at rotating/<key>, the new sidecar, the old bytes.
    const newSidecar = JSON.parse(await readFile(`${file}.json`, 'utf8')) as Record<string, string>;
    await store.put(`rotating/${key}`, createReadStream(file), () => newSidecar);
    await writeFile(file, oldBytes);

    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    expect(report).toMatchObject({ reencrypted: 1, remainingKeyIds: [] });
    expect(await plainSha(store, newOnly, key)).toBe(plain.get(key));
    expect(await backupKeys(store)).toEqual(keys);
  });

  it('new bytes whose sidecar still names the old key (a kill between the two renames of a replace) are redone, so metadata and catalogue catch up', async () => {
    const { store, keys, plain, newOnly, deps } = await setUp(1);
    const key = keys[0]!;
    const file = join((store as FolderStore).root, ...key.split('/'));
    const oldSidecar = await readFile(`${file}.json`);
    const params = await planBackupKeyRotation(deps());
    await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    // A kill between the object's rename and the sidecar's (the replace order now): new bytes, old metadata.
    await writeFile(`${file}.json`, oldSidecar);
    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    expect(report).toMatchObject({ reencrypted: 1, remainingKeyIds: [] });
    const stat = await store.stat(key);
    expect(stat?.metadata['key-id']).toBe('k2');
    expect(f!.engine.catalogue.get(key)).toMatchObject({ keyId: 'k2', sha256: stat?.metadata.sha256 });
    expect(await plainSha(store, newOnly, key)).toBe(plain.get(key));
  });

  it('re-encrypts the staging safety snapshots under staging/ too, so the old key is only called removable when nothing needs it', async () => {
    const { store, keys, plain, newOnly, deps } = await setUp(1);
    const src = keys[0]!;
    const staged = `staging/pre-restore/${src.split('/').slice(1).join('/')}`;
    const meta = (await store.stat(src))!.metadata;
    await store.put(staged, await store.get(src), () => meta);
    const root = (store as FolderStore).root;
    expect(await readFile(join(root, ...staged.split('/')))).toEqual(await readFile(join(root, ...src.split('/'))));

    const params = await planBackupKeyRotation(deps());
    expect(params).toMatchObject({ fromKeys: { k1: 2 }, objects: 2 });
    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    expect(report).toMatchObject({ reencrypted: 2, remainingKeyIds: [] });
    expect(await plainSha(store, newOnly, staged)).toBe(plain.get(src));
  });
  it('re-encrypts a legacy-format backup (no header, key found by trying each key) into vcbk1 under the active key, with the vcbk1 ones', async () => {
    const { store, keys, plain, newOnly, deps } = await setUp(2);
    const snapshot = await f!.vault.snapshotBytes();
    const legacyKey = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    const legacyBytes = encryptLegacy(snapshot, f!.key);
    await store.put(legacyKey, Readable.from([legacyBytes]), () => ({}));
    const template = f!.engine.catalogue.get(keys[0]!)!;
    f!.engine.catalogue.record({ ...template, key: legacyKey, storedBytes: legacyBytes.length, sha256: createHash('sha256').update(legacyBytes).digest('hex'), keyId: 'k1', format: 'legacy' });

    const params = await planBackupKeyRotation(deps());
    expect(params).toMatchObject({ fromKeys: { 'k1': 2, 'legacy format': 1 }, objects: 3 });
    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    expect(report).toMatchObject({ reencrypted: 3, legacy: [], remainingKeyIds: [] });

    // Every backup, the old legacy one included, now decrypts with k2 alone.
    const head = Buffer.alloc(16);
    (await readFile(join((store as FolderStore).root, ...legacyKey.split('/')))).copy(head);
    expect(detectFormat(head)).toBe('vcbk1');
    expect(await plainSha(store, newOnly, legacyKey)).toBe(createHash('sha256').update(snapshot).digest('hex'));
    for (const key of keys) expect(await plainSha(store, newOnly, key)).toBe(plain.get(key));
    expect((await store.stat(legacyKey))?.metadata).toMatchObject({ 'format': 'vcbk1', 'key-id': 'k2', 'plain-sha256': createHash('sha256').update(snapshot).digest('hex') });
    expect(f!.engine.catalogue.get(legacyKey)).toMatchObject({ format: 'vcbk1', keyId: 'k2', sha256: (await store.stat(legacyKey))?.metadata.sha256 });
    const audited = f!.audit.tail(50).filter((r) => r.event === 'rotation.backup_key.object');
    expect(audited.map((r) => r.target).sort()).toEqual([...keys, legacyKey].sort());
    expect(audited.find((r) => r.target === legacyKey)?.details).toMatchObject({ fromKey: 'k1', fromFormat: 'legacy', toKey: 'k2' });
    await expect(planBackupKeyRotation(deps())).rejects.toThrow(/already under the active key "k2"/);
  });

  it('leaves a legacy backup no key decrypts where it is, names it, and does not call the old keys removable', async () => {
    const { store, keys, newOnly, deps } = await setUp(1);
    const orphan = 'daily/2025-11-20/vault-snapshot-20251120-020000.enc';
    const bytes = encryptLegacy(Buffer.from('snapshot under a lost key'), randomBytes(32));
    await store.put(orphan, Readable.from([bytes]), () => ({}));

    const report = await rotateBackupKey(deps(), await planBackupKeyRotation(deps()), { actor: 'U0CAROL' });
    expect(report).toMatchObject({ reencrypted: 1, legacy: [orphan], remainingKeyIds: [] });
    expect(await readFile(join((store as FolderStore).root, ...orphan.split('/')))).toEqual(bytes);
    expect(await plainSha(store, newOnly, keys[0]!)).toMatch(/^[0-9a-f]{64}$/);
    expect(f!.audit.tail(50).find((r) => r.event === 'rotation.backup_key.object_skipped')).toMatchObject({ target: orphan });
  });
  it('a legacy backup whose sidecar already says vcbk1 under the active key (a kill between the two renames) is judged by its bytes and redone', async () => {
    const { store, newOnly, deps } = await setUp(1);
    const snapshot = await f!.vault.snapshotBytes();
    const key = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    const legacyBytes = encryptLegacy(snapshot, f!.key);
    await store.put(key, Readable.from([legacyBytes]), () => ({}));
    const params = await planBackupKeyRotation(deps());
    await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    // New sidecar (format vcbk1, key-id k2), old legacy bytes.
    await writeFile(join((store as FolderStore).root, ...key.split('/')), legacyBytes);
    expect((await store.stat(key))?.metadata).toMatchObject({ 'format': 'vcbk1', 'key-id': 'k2' });
    expect((await planBackupKeyRotation(deps())).fromKeys).toEqual({ 'legacy format': 1 });

    const report = await rotateBackupKey(deps(), params, { actor: 'U0CAROL' });
    expect(report).toMatchObject({ reencrypted: 1, legacy: [], remainingKeyIds: [] });
    expect(await plainSha(store, newOnly, key)).toBe(createHash('sha256').update(snapshot).digest('hex'));
  });
});
