/**
 * Restores over real HTTP into the Vault test server: what reaches Vault, in which order, and what
 * an operator is told when a date has no backup, a file was tampered with, or versions disagree.
 */
import { createHash } from 'node:crypto';
import { watch } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptLegacy } from '../../../src/core/crypto/legacy.js';
import { openDatabase } from '../../../src/core/db/index.js';
import { startVaultServer } from '../../support/vault/server.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';
import type { BackupStore } from '../../../src/core/store/backup-store.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fixtures: BackupFixture[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
});
async function fixture(...args: Parameters<typeof backupFixture>): Promise<BackupFixture> {
  const f = await backupFixture(...args);
  fixtures.push(f);
  return f;
}

function requestIndex(f: BackupFixture, method: string, path: RegExp): number {
  return f.vault.requests.findIndex((r) => r.method === method && path.test(r.url));
}

describe('restore', () => {
  it('names the nearest dates when a day has no backup, and explains a malformed date', async () => {
    const f = await fixture();
    for (const day of ['2025-11-20', '2025-11-24', '2025-11-26', '2025-12-02']) {
      await f.engine.store.put(`daily/${day}/vault-snapshot-${day.replaceAll('-', '')}-020000.enc`, Readable.from([Buffer.from('x')]), () => ({}));
    }
    await expect(f.engine.planRestore('2025-11-25', 'prod')).rejects.toThrow('No backup from 2025-11-25. Nearest dates with a backup: 2025-11-20, 2025-11-24, 2025-11-26.');
    await expect(f.engine.planRestore('2025-13-45', 'prod')).rejects.toThrow(/"2025-13-45" is not a date.*expected <YYYY-MM-DD \| latest \| object key>/);
  });

  it('takes a verified safety snapshot of the target before posting the backup, which arrives byte-exact', async () => {
    const f = await fixture({ vault: { snapshotSize: 1024 * 1024 } });
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;
    const original = (await f.engine.store.stat(backup.report.key))?.metadata['plain-sha256'];
    expect(original).toMatch(/^[0-9a-f]{64}$/);

    const plan = await f.engine.planRestore('latest', 'prod');
    expect(plan).toMatchObject({ key: backup.report.key, sha256: backup.report.sha256, target: 'prod' });
    const outcome = await f.engine.restore(plan, { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;

    expect(f.vault.restores).toHaveLength(1);
    expect(f.vault.restores[0]).toMatchObject({ sha256: original, force: false });
    const safety = outcome.report.safetySnapshotKey;
    expect(safety).toMatch(/^pre-restore\//);
    expect(await f.engine.store.stat(safety!)).toBeDefined();
    const lastSnapshotGet = f.vault.requests.map((r, i) => (r.method === 'GET' && r.url.startsWith('/v1/sys/storage/raft/snapshot') ? i : -1)).filter((i) => i >= 0).at(-1)!;
    expect(lastSnapshotGet).toBeLessThan(requestIndex(f, 'POST', /^\/v1\/sys\/storage\/raft\/snapshot/));
    expect(outcome.report.recoveryMs).toBeGreaterThan(0);
    const events = f.audit.tail(20).map((r) => r.event);
    expect(events.indexOf('restore.applying')).toBeGreaterThan(events.lastIndexOf('backup.succeeded'));
  });

  it('a dry run proves the backup decrypts and never touches the target', async () => {
    const f = await fixture();
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    const outcome = await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: true });
    expect(outcome).toMatchObject({ ok: true, report: { dryRun: true } });
    expect(f.vault.restores).toHaveLength(0);
    expect(requestIndex(f, 'POST', /raft\/snapshot/)).toBe(-1);
  });

  it('a dry run and a verify check the plaintext without ever writing it to disk; only a real restore does', async () => {
    const f = await fixture();
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    const workDir = join(f.dataDir, 'tmp');
    await mkdir(workDir, { recursive: true });
    const created: string[] = [];
    const watcher = watch(workDir, (_event, name) => created.push(String(name)));
    closers.push(async () => watcher.close());
    /** Waits up to 5 s for the watcher to have reported what `wanted` looks for. */
    const reported = async (wanted: () => boolean) => {
      for (let i = 0; i < 200 && !wanted(); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    };

    expect(await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: true })).toMatchObject({ ok: true });
    await f.engine.verify('latest');
    // Events arrive in order: whatever the dry run and verify created is reported before this file.
    await writeFile(join(workDir, 'marker'), '');
    await reported(() => created.includes('marker'));
    const marker = created.indexOf('marker');

    expect(await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false })).toMatchObject({ ok: true });
    await reported(() => created.slice(marker).some((name) => name.endsWith('.snap')));
    expect(marker).toBeGreaterThanOrEqual(0);
    expect(created.slice(0, marker).filter((name) => name.endsWith('.snap'))).toEqual([]);
    expect(created.slice(marker).some((name) => name.endsWith('.snap'))).toBe(true);
    expect((await readdir(workDir)).filter((name) => name.startsWith('restore-'))).toEqual([]);
  });

  it('an object that grew after the restore was planned is refused at the first byte past the recorded size', async () => {
    const f = await fixture();
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    const plan = await f.engine.planRestore('latest', 'prod');
    await appendFile(join(f.dataDir, 'backups', backup.report.key), Buffer.alloc(4096, 7));

    const outcome = await f.engine.restore(plan, { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome).toMatchObject({ ok: false, step: 'download' });
    expect(outcome.ok ? '' : outcome.error.userMessage).toContain(`do not match its recorded size and sha256 (more than the recorded ${plan.size} bytes)`);
    expect(f.vault.restores).toHaveLength(0);
  });

  it('a tampered backup never reaches Vault, even with a matching sidecar', async () => {
    const f = await fixture();
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    const file = join(f.dataDir, 'backups', backup.report.key);
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(200) ^ 0xff, 200);
    await writeFile(file, bytes);
    const sidecar = JSON.parse(await readFile(`${file}.json`, 'utf8')) as Record<string, string>;
    await writeFile(`${file}.json`, JSON.stringify({ ...sidecar, sha256: sha256(bytes) }));

    // The catalogue recorded the real sha256: the rewritten sidecar proves nothing.
    await expect(f.engine.planRestore(backup.report.key, 'prod')).rejects.toThrow(/is not the backup the catalogue recorded under that name \(sha256 .*recorded/);
    // Without a catalogue entry (a fresh database), decryption still catches it before Vault.
    const db = openDatabase(f.dataDir);
    db.prepare(`DELETE FROM backups`).run();
    db.close();
    const outcome = await f.engine.restore(await f.engine.planRestore(backup.report.key, 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome).toMatchObject({ ok: false, step: 'download' });
    expect(outcome.ok ? '' : outcome.error.userMessage).toMatch(/chunk 0/);
    expect(f.vault.restores).toHaveLength(0);
  });

  it('a backup damaged in its first chunk is refused, not hung on, whatever size of pieces the store hands out', async () => {
    /** Set once the backup is verified: the size of the pieces restores then get. */
    let pieceBytes: number | undefined;
    /** The store as S3 or a folder would serve it, in pieces of `pieceBytes`, with byte 200 flipped. */
    const damagedInPieces = (store: BackupStore): BackupStore => ({
      location: store.location,
      put: (key, body, metadata, options) => store.put(key, body, metadata, options),
      stat: (key) => store.stat(key),
      list: (prefix) => store.list(prefix),
      delete: (key) => store.delete(key),
      async get(key) {
        if (pieceBytes === undefined) return store.get(key);
        const parts: Buffer[] = [];
        for await (const part of await store.get(key)) parts.push(part as Buffer);
        const bytes = Buffer.concat(parts);
        bytes.writeUInt8(bytes.readUInt8(200) ^ 0xff, 200);
        const pieces: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += pieceBytes) pieces.push(bytes.subarray(at, at + pieceBytes));
        return Readable.from(pieces);
      },
    });
    const f = await fixture({ vault: { snapshotSize: 3 * 1024 * 1024 }, wrapStore: damagedInPieces });
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    for (const size of [16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024]) {
      pieceBytes = size;
      const outcome = await f.engine.restore(await f.engine.planRestore('latest', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
      expect(outcome).toMatchObject({ ok: false, step: 'download' });
      expect(outcome.ok ? '' : outcome.error.userMessage).toMatch(/do not match its recorded size and sha256/);
    }
    expect(f.vault.restores).toHaveLength(0);
  });

  it('restores a legacy-format backup (IV | tag | ciphertext) written by the old script', async () => {
    const f = await fixture();
    const snapshot = await f.vault.snapshotBytes();
    const key = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    await f.engine.store.put(key, Readable.from([encryptLegacy(snapshot, f.key)]), () => ({}));

    const plan = await f.engine.planRestore('2025-11-26', 'prod');
    expect(plan).toMatchObject({ key, format: 'legacy' });
    const outcome = await f.engine.restore(plan, { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome.ok).toBe(true);
    expect(f.vault.restores[0]?.sha256).toBe(sha256(snapshot));
  });

  it('freezes the target address, and refuses when the bot now points at another Vault', async () => {
    const f = await fixture();
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    const plan = await f.engine.planRestore('latest', 'prod');
    expect(plan.address).toBe(f.vault.url);
    await expect(f.engine.restore({ ...plan, address: 'https://old-vault.example.com:8200' }, { actor: 'cli', purpose: 'restore', dryRun: false })).rejects.toThrow(
      /planned for https:\/\/old-vault\.example\.com:8200, but the production Vault is now http:\/\/127\.0\.0\.1:\d+; request it again/,
    );
    expect(f.vault.restores).toHaveLength(0);
  });

  it('a correctly encrypted file that holds no Vault snapshot never reaches Vault', async () => {
    const f = await fixture();
    await f.engine.store.put('daily/2025-11-26/vault-snapshot-20251126-020000.enc', Readable.from([encryptLegacy(Buffer.from('{"not":"a snapshot"}'), f.key)]), () => ({}));
    const outcome = await f.engine.restore(await f.engine.planRestore('2025-11-26', 'prod'), { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome).toMatchObject({ ok: false, step: 'download' });
    expect(outcome.ok ? '' : outcome.error.userMessage).toMatch(/not gzip data/);
    expect(f.vault.restores).toHaveLength(0);
  });

  it('refuses to restore onto an older Vault than the backup was taken on', async () => {
    const f = await fixture({ vault: { version: '1.19.2' } });
    const backup = await f.engine.backup('manual', 'cli');
    if (!backup.ok) throw backup.error;
    const plan = { ...(await f.engine.planRestore('latest', 'prod')), vaultVersion: '1.20.0' };
    const outcome = await f.engine.restore(plan, { actor: 'cli', purpose: 'restore', dryRun: false });
    expect(outcome).toMatchObject({ ok: false, step: 'version' });
    expect(outcome.ok ? '' : outcome.error.userMessage).toMatch(/taken on Vault 1\.20\.0 but the target runs 1\.19\.2/);
    expect(f.vault.restores).toHaveLength(0);
  });

  it('the weekly restore test forces the latest backup into staging and reads the canary with production credentials', async () => {
    const staging = await startVaultServer({ snapshotSize: 64 * 1024 });
    closers.push(() => staging.stop());
    const f = await fixture({ staging, env: { VAULT_CANARY_PATH: 'secret/data/canary' }, canaryTimeoutMs: 5000 });
    f.vault.putSecret('canary', { value: 'alive' });
    const backup = await f.engine.backup('daily', 'system');
    if (!backup.ok) throw backup.error;

    const outcome = await f.engine.restoreTest();
    expect(outcome?.ok).toBe(true);
    expect(staging.restores).toHaveLength(1);
    expect(staging.restores[0]?.force).toBe(true);
    expect(f.notifier.restoreTests.at(-1)).toMatchObject({ report: { target: 'staging', canary: 'ok' } });
    expect(f.notifier.restoreTests.at(-1)?.error).toBeUndefined();
    // The staging token stopped working: staging now holds production's data and tokens.
    const res = await fetch(`${staging.url}/v1/secret/data/canary`, { headers: { 'X-Vault-Token': staging.rootToken } });
    expect(res.status).toBe(403);
  });
});
