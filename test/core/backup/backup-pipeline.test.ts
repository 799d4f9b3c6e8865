/**
 * The backup pipeline end to end, over real HTTP: the Vault test server's raft snapshot, streamed
 * through validation and encryption into a folder store and into s3rver, read back and verified.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { openDatabase } from '../../../src/core/db/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecryptStream } from '../../../src/core/crypto/decrypt-stream.js';
import { keyringFromKeys } from '../../../src/core/crypto/keyring.js';
import { startS3Server, type S3TestServer } from '../../support/s3-server.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(stream, new Writable({ write(chunk: Buffer, _e, done) { parts.push(chunk); done(); } }));
  return Buffer.concat(parts);
}

async function listKeys(f: BackupFixture): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of f.engine.store.list()) keys.push(o.key);
  return keys.sort();
}

let s3: S3TestServer;
beforeAll(async () => { s3 = await startS3Server(); });
afterAll(async () => { await s3?.stop(); });

describe.each([
  { name: 'folder store', s3: false },
  { name: 's3 store (s3rver)', s3: true },
])('backup to the $name', ({ s3: useS3 }) => {
  let f: BackupFixture;
  beforeAll(async () => {
    f = await backupFixture({ vault: { snapshotSize: 3 * 1024 * 1024 + 17 }, ...(useS3 ? { s3, s3Prefix: `run-${Date.now()}` } : {}) });
  });
  afterAll(async () => { await f?.close(); });

  it('stores an encrypted backup that decrypts to exactly the snapshot Vault sent', async () => {
    const outcome = await f.engine.backup('manual', 'cli');
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.report.key).toMatch(/^manual\/\d{4}-\d{2}-\d{2}\/vault-snapshot-\d{8}-\d{6}\.enc$/);

    const stat = await f.engine.store.stat(outcome.report.key);
    expect(stat?.metadata).toMatchObject({ 'key-id': 'k1', format: 'vcbk1', kind: 'manual', 'plain-size': String(outcome.report.plainBytes) });
    expect(Object.keys(stat?.metadata ?? {}).sort()).toEqual(
      ['audit-head', 'cluster', 'cluster-name', 'created-at', 'format', 'key-id', 'kind', 'plain-sha256', 'plain-size', 'sha256', 'vault-version'].sort(),
    );

    const stored = await collect(await f.engine.store.get(outcome.report.key));
    expect(stored.subarray(0, 4).toString()).toBe('VCBK');
    expect(sha256(stored)).toBe(stat?.metadata['sha256']);
    const plain = await collect((await f.engine.store.get(outcome.report.key)).pipe(createDecryptStream(keyringFromKeys([{ id: 'k1', key: f.key }]))));
    expect(sha256(plain)).toBe(stat?.metadata['plain-sha256']);
    // Vault itself vouches for the bytes: its restore checks every member's SHA256SUMS and the
    // cluster's signature over them, so a single changed byte would be refused.
    const res = await fetch(`${f.vault.url}/v1/sys/storage/raft/snapshot`, { method: 'POST', headers: { 'X-Vault-Token': f.vault.rootToken }, body: plain });
    expect(res.status).toBe(204);
    expect(f.vault.restores.at(-1)?.sha256).toBe(sha256(plain));
    expect(f.notifier.successes.map((s) => s.key)).toContain(outcome.report.key);
  });

  it('writes the audit chain head into the metadata and audits the run', async () => {
    const outcome = await f.engine.backup('manual', 'U123');
    if (!outcome.ok) throw outcome.error;
    const stat = await f.engine.store.stat(outcome.report.key);
    const [id, hash] = (stat?.metadata['audit-head'] ?? '').split(':');
    const rows = f.audit.tail(50);
    const started = rows.filter((r) => r.event === 'backup.started' && r.target === outcome.report.key).at(-1);
    expect(started).toBeDefined();
    expect(Number(id)).toBe(started!.id);
    expect(hash).toBe(started!.hash);
    expect(rows.some((r) => r.event === 'backup.succeeded' && r.actor === 'U123' && r.target === outcome.report.key)).toBe(true);
  });

  it('backup verify passes, and fails once one byte is flipped', async () => {
    const outcome = await f.engine.backup('manual', 'cli');
    if (!outcome.ok) throw outcome.error;
    await expect(f.engine.verify(outcome.report.key)).resolves.toMatchObject({ format: 'vcbk1' });

    if (useS3) return; // tampering is done on the folder store's file below
    const file = join(f.dataDir, 'backups', outcome.report.key);
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0x01, bytes.length >> 1);
    const { writeFile, truncate } = await import('node:fs/promises');
    await writeFile(file, bytes);
    await expect(f.engine.verify(outcome.report.key)).rejects.toThrow(/do not match its recorded size and sha256/);

    // Someone who also rewrites the sidecar's checksum meets the catalogue's record of it…
    const sidecar = JSON.parse(await readFile(`${file}.json`, 'utf8')) as Record<string, string>;
    await writeFile(`${file}.json`, JSON.stringify({ ...sidecar, sha256: sha256(bytes) }));
    await expect(f.engine.verify(outcome.report.key)).rejects.toThrow(/is not the backup the catalogue recorded under that name/);
    // …and, where the catalogue does not know it (a fresh database), the authenticated decryption.
    const db = openDatabase(f.dataDir);
    db.prepare('DELETE FROM backups').run();
    db.close();
    await expect(f.engine.verify(outcome.report.key)).rejects.toThrow(/chunk \d+/);

    await truncate(file, bytes.length - 100);
    await expect(f.engine.verify(outcome.report.key)).rejects.toThrow(/do not match/);
  });
});

describe('a failing snapshot leaves nothing behind and pages', () => {
  let f: BackupFixture;
  beforeAll(async () => {
    f = await backupFixture({ vault: { snapshotSize: 2 * 1024 * 1024 }, env: {} });
  });
  afterAll(async () => { await f?.close(); });

  async function expectNothingStored(): Promise<void> {
    // Before any backup the folder store's folder does not exist, which listing reports as an error.
    const keys = await listKeys(f).catch((error: Error) => (/does not exist \(no such folder\)/.test(error.message) ? [] : Promise.reject(error)));
    expect(keys).toEqual([]);
    const dir = join(f.dataDir, 'backups');
    const leftovers = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
    expect(leftovers.filter((n) => /\.tmp|\.enc$/.test(String(n)))).toEqual([]);
  }

  it('Vault answering 500 is the snapshot step, audited and paged', async () => {
    f.vault.faults.failPaths = { 'sys/storage/raft/snapshot': { status: 500, message: 'internal error' } };
    const outcome = await f.engine.backup('daily', 'system');
    f.vault.faults.failPaths = {};
    expect(outcome).toMatchObject({ ok: false, step: 'snapshot' });
    expect(f.notifier.pages.at(-1)).toMatchObject({ kind: 'daily', step: 'snapshot' });
    expect(f.audit.tail(5).some((r) => r.event === 'backup.failed' && (r.details as { step?: string }).step === 'snapshot')).toBe(true);
    await expectNothingStored();
  });

  it('a stream cut mid-way fails and stores nothing', async () => {
    f.vault.faults.snapshotTruncateAfterBytes = 300_000;
    const outcome = await f.engine.backup('daily', 'system');
    delete f.vault.faults.snapshotTruncateAfterBytes;
    expect(outcome.ok).toBe(false);
    expect(['snapshot', 'validate']).toContain(outcome.ok ? '' : outcome.step);
    expect(f.notifier.pages.at(-1)?.kind).toBe('daily');
    await expectNothingStored();
  });

  it('a sealed Vault fails with a sentence an operator can act on', async () => {
    f.vault.state.sealed = true;
    const outcome = await f.engine.backup('daily', 'system');
    f.vault.state.sealed = false;
    expect(outcome.ok).toBe(false);
    expect(f.notifier.pages.at(-1)?.reason).toMatch(/sealed/i);
    await expectNothingStored();
  });

  it('backups asked for at once in one process run one after the other (daily and monthly at 02:00 on the 1st)', async () => {
    f.vault.faults.latencyMs = 100;
    const [daily, monthly] = await Promise.all([f.engine.backup('daily', 'system'), f.engine.backup('monthly', 'system')]);
    f.vault.faults.latencyMs = 0;
    expect(daily.ok && monthly.ok).toBe(true);
    expect((await listKeys(f)).map((k) => k.split('/')[0]).sort()).toEqual(['daily', 'monthly']);
  });
});

describe('a snapshot stream that hangs', () => {
  it('times out, stores nothing and pages', async () => {
    const f = await backupFixture({ vault: { snapshotSize: 2 * 1024 * 1024 }, snapshotIdleTimeoutMs: 500 });
    try {
      f.vault.faults.snapshotHangAfterBytes = 100_000;
      const outcome = await f.engine.backup('daily', 'system');
      expect(outcome).toMatchObject({ ok: false, step: 'snapshot' });
      expect(f.notifier.pages.at(-1)?.reason).toMatch(/stall|timed out|timeout/i);
      expect(await listKeys(f)).toEqual([]);
    } finally {
      delete f.vault.faults.snapshotHangAfterBytes;
      await f.close();
    }
  });
});
