/**
 * Run ownership by lease (issue 7 item 1): a run killed with SIGKILL is found dead whatever its
 * owner column says — the same pid as a live process, or another host's name — reported once, and
 * what it left (folder `.tmp-*` files, S3 `.incoming/` objects, decrypted restore files) is removed.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AuditLog } from '../../../src/core/audit/index.js';
import { BackupEngine } from '../../../src/core/backup-engine.js';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { openDatabase } from '../../../src/core/db/index.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';
import { startS3Server } from '../../support/s3-server.js';

const CHILD = fileURLToPath(new URL('./helpers/backup-child.ts', import.meta.url));
const STALE_MS = 300;
const open: BackupFixture[] = [];
const closers: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fixture(...args: Parameters<typeof backupFixture>): Promise<BackupFixture> {
  const f = await backupFixture(...args);
  open.push(f);
  return f;
}

/** Another process's engine on the same DATA_DIR (a restarted bot, or the CLI). */
function engineOn(f: BackupFixture): { engine: BackupEngine; notifier: RecordingNotifier; db: ReturnType<typeof openDatabase> } {
  const loaded = loadConfig(f.env, ['vault', 'backup']);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const db = openDatabase(f.dataDir);
  const notifier = new RecordingNotifier();
  const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), notifier, logger: pino({ level: 'silent' }), lease: { staleAfterMs: STALE_MS } });
  closers.push(() => { engine.stop(); db.close(); });
  return { engine, notifier, db };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function tempFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) if (e.name.startsWith('.tmp-')) out.push(e.name);
  return out;
}

/** Starts a real child process backing up, waits until it is mid-upload, then kills it with SIGKILL. */
async function killMidBackup(f: BackupFixture): Promise<void> {
  f.vault.faults.snapshotHangAfterBytes = 64 * 1024;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(f.env)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  closers.push(() => { child.kill('SIGKILL'); });
  const db = openDatabase(f.dataDir);
  try {
    await until(() => db.prepare(`SELECT id FROM backup_runs WHERE status = 'running'`).get(), `the child's run row (${stderr})`);
    await until(async () => (await tempFiles(join(f.dataDir, 'backups'))).length > 0, 'the half-written temporary file');
  } finally {
    db.close();
  }
  child.kill('SIGKILL');
  await exited;
  f.vault.faults.snapshotHangAfterBytes = undefined;
}

describe('a run killed with SIGKILL', () => {
  for (const owner of [
    { name: 'left as the dead process wrote it', value: undefined },
    { name: 'naming this very (live) process as host:pid', value: `${hostname()}:${process.pid}` },
    { name: 'naming another host (a recreated container)', value: 'vault-chatops-7f9c4d-xk2p:1' },
  ]) {
    it(`is found dead when its owner is ${owner.name}: reported once, leftovers removed, the next backup runs`, async () => {
      const f = await fixture();
      await killMidBackup(f);
      const { engine: bot, notifier, db } = engineOn(f);
      if (owner.value) db.prepare(`UPDATE backup_runs SET owner = ? WHERE status = 'running'`).run(owner.value);
      const run = db.prepare(`SELECT kind, started_at FROM backup_runs WHERE status = 'running'`).get() as { kind: string; started_at: string };
      // The dead child's heartbeat must go stale first (the bound is 300 ms here, 60 s by default).
      await sleep(STALE_MS + 100);

      await bot.start();
      const second = engineOn(f);
      await second.engine.start();

      const reports = [...notifier.pages, ...second.notifier.pages].filter((p) => p.interrupted);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatchObject({ kind: 'daily', step: 'interrupted' });
      expect(reports[0]?.reason).toContain(`started ${run.started_at} was interrupted`);
      const audited = new AuditLog(db).tail(50).filter((r) => r.event === 'backup.interrupted');
      expect(audited).toHaveLength(1);
      expect(await tempFiles(join(f.dataDir, 'backups'))).toEqual([]);

      const next = await bot.backup('manual', 'cli');
      expect(next.ok).toBe(true);
      expect(notifier.successes).toHaveLength(1);
    }, 30_000);
  }

  it('a live owner whose heartbeat is fresh is left alone, even from another host', async () => {
    const f = await fixture();
    const { engine, db } = engineOn(f);
    const token = randomUUID();
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'elsewhere:7', ?)`).run(token, new Date().toISOString());
    db.prepare(`INSERT INTO backup_runs (kind, key, status, started_at, owner) VALUES ('daily', NULL, 'running', ?, ?)`).run(new Date().toISOString(), token);
    await engine.start();
    const refused = await engine.backup('manual', 'cli');
    expect(refused).toMatchObject({ ok: false, step: 'start', error: { code: 'backup_running' } });

    // The owner stops renewing: after the bound it is dead, and the slot is free again.
    await sleep(STALE_MS + 100);
    expect((await engine.backup('manual', 'cli')).ok).toBe(true);
  });
});

describe('the store-wide sweep of temporary files', () => {
  it('leaves a staging file alone while any process holds a live lease without a run row (a backup-key rotation), and sweeps it once that lease is dead', async () => {
    const f = await fixture();
    const { engine, db } = engineOn(f);
    const day = join(f.dataDir, 'backups', 'daily', '2025-11-26');
    await mkdir(day, { recursive: true });
    const staging = join(day, '.tmp-rotating0a1b');
    await writeFile(staging, 'half a re-encrypted copy');
    const old = new Date(Date.now() - 10 * STALE_MS);
    await utimes(staging, old, old);
    // Another process re-encrypting: a fresh lease, no backup_runs row.
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'rotating-cli:42', ?)`).run(randomUUID(), new Date().toISOString());
    await engine.start();
    expect(await tempFiles(join(f.dataDir, 'backups'))).toEqual(['.tmp-rotating0a1b']);

    await sleep(STALE_MS + 100);
    // The same in this process: a rotation holding store work keeps the engine's own sweep away.
    const release = engine.holdStoreWork();
    await engine.recoverInterrupted();
    expect(await tempFiles(join(f.dataDir, 'backups'))).toEqual(['.tmp-rotating0a1b']);
    release();
    await engine.recoverInterrupted();
    expect(await tempFiles(join(f.dataDir, 'backups'))).toEqual([]);
  });
});

describe('what a killed restore leaves', () => {
  it('its decrypted files are removed and the interrupted restore is reported, naming the safety snapshot', async () => {
    const f = await fixture();
    const { engine, notifier, db } = engineOn(f);
    const dead = randomUUID();
    const work = join(f.dataDir, 'tmp');
    await mkdir(work, { recursive: true });
    await writeFile(join(work, `restore-${dead}-0a1b2c.snap`), 'decrypted snapshot bytes');
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'old-pod:1', '2025-11-26T02:00:00.000Z')`).run(dead);
    db.prepare(`INSERT INTO restores (key, target, purpose, dry_run, status, started_at, owner, safety_key) VALUES ('daily/2025-11-25/vault-snapshot-20251125-020000.enc', 'prod', 'restore', 0, 'running', '2025-11-26T02:00:00Z', ?, 'pre-restore/2025-11-26/vault-snapshot-20251126-020001.enc')`).run(dead);
    await engine.start();
    expect(await readdir(work)).toEqual([]);
    const said = notifier.infos.filter((t) => /restore of daily\/2025-11-25\/vault-snapshot-20251125-020000\.enc into production .* was interrupted/.test(t));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('pre-restore/2025-11-26/vault-snapshot-20251126-020001.enc');
    expect(db.prepare(`SELECT status FROM restores`).get()).toEqual({ status: 'interrupted' });
  });
});

describe('a killed dry-run restore', () => {
  it('is reported as a dry run that changed nothing, never as if production may hold restored data', async () => {
    const f = await fixture();
    const { engine, notifier, db } = engineOn(f);
    const dead = randomUUID();
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'old-pod:1', '2025-11-26T02:00:00.000Z')`).run(dead);
    db.prepare(`INSERT INTO restores (key, target, purpose, dry_run, status, started_at, owner) VALUES ('daily/2025-11-25/vault-snapshot-20251125-020000.enc', 'prod', 'restore', 1, 'running', '2025-11-26T02:00:00Z', ?)`).run(dead);
    await engine.start();
    const said = notifier.infos.filter((t) => /interrupted/.test(t));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('dry run, so nothing was changed in production');
    expect(said[0]).not.toMatch(/holds the restored data/);
  });
});

describe('an S3 store', () => {
  it('staged uploads a killed run left under .incoming/ are removed by the next backup', async () => {
    const s3 = await startS3Server();
    closers.push(() => s3.stop());
    const f = await fixture({ s3, s3Prefix: 'prod', lease: { staleAfterMs: STALE_MS } });
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials });
    closers.push(() => client.destroy());
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `prod/.incoming/${randomUUID()}`, Body: Buffer.alloc(1024, 7) }));
    await sleep(STALE_MS + 100);
    expect((await f.engine.backup('manual', 'cli')).ok).toBe(true);
    const left = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'prod/.incoming/' }));
    expect(left.Contents ?? []).toEqual([]);
  }, 60_000);
});

describe('lease rows', () => {
  it('a dead owner\'s lease is forgotten after a day, a recent one is kept', async () => {
    const f = await fixture();
    const { engine, db } = engineOn(f);
    const old = randomUUID();
    const recent = randomUUID();
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'old-pod:1', ?)`).run(old, new Date(Date.now() - 2 * 86_400_000).toISOString());
    db.prepare(`INSERT INTO run_leases (token, holder, heartbeat_at) VALUES (?, 'pod:2', ?)`).run(recent, new Date(Date.now() - 3_600_000).toISOString());
    await engine.start();
    const left = (db.prepare(`SELECT token FROM run_leases`).all() as Array<{ token: string }>).map((r) => r.token);
    expect(left).toContain(recent);
    expect(left).not.toContain(old);
  });
});
