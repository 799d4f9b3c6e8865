/**
 * When jobs run: the start-up catch-up when the last good backup is older than 25 hours, a backup
 * interrupted by a crash reported (never retried), and cron actually firing jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import pino from 'pino';
import { startScheduler } from '../../src/core/scheduler.js';
import { openDatabase } from '../../src/core/db/index.js';
import { AuditLog } from '../../src/core/audit/index.js';
import { BackupEngine } from '../../src/core/backup-engine.js';
import { loadConfig } from '../../src/core/config/load-config.js';
import { RecordingNotifier } from '../support/recording-notifier.js';
import { backupFixture, type BackupFixture } from '../support/backup-fixture.js';

const open: BackupFixture[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((f) => f.close())); });

describe('start-up catch-up', () => {
  it('takes a backup at once when there has never been one, and says why', async () => {
    const f = await backupFixture();
    open.push(f);
    const outcome = await f.engine.catchUpIfStale();
    expect(outcome?.ok).toBe(true);
    expect(f.notifier.infos).toContain('Taking a backup now: there is no successful backup yet.');
    expect(outcome?.ok && outcome.report.kind).toBe('daily');
  });

  it('does nothing when the last good backup is recent, and catches up once it is over 25 h old', async () => {
    const f = await backupFixture();
    open.push(f);
    await f.engine.backup('daily', 'system');
    expect(await f.engine.catchUpIfStale()).toBeUndefined();

    // The same database and store, seen 26 hours later.
    const later = new Date(Date.now() + 26 * 3_600_000);
    const loaded = loadConfig(f.env, ['vault', 'backup']);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const db = openDatabase(f.dataDir);
    const notifier = new RecordingNotifier();
    const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), notifier, logger: pino({ level: 'silent' }), clock: () => later });
    try {
      await engine.start();
      const outcome = await engine.catchUpIfStale();
      expect(outcome?.ok).toBe(true);
      expect(notifier.infos).toContain('Taking a backup now: the last successful backup is 26 h old.');
    } finally {
      engine.stop();
      db.close();
    }
  });

  it('reports a backup interrupted by a crash and does not retry it', async () => {
    const f = await backupFixture();
    open.push(f);
    // A run left 'running' by a process that no longer exists (pid 999999 on this host, no lease).
    const crashed = openDatabase(f.dataDir);
    crashed.prepare(`INSERT INTO backup_runs (kind, key, status, started_at, owner) VALUES ('daily', 'daily/2025-11-26/vault-snapshot-20251126-020000.enc', 'running', ?, ?)`).run(new Date().toISOString(), `${hostname()}:999999`);
    crashed.close();
    const loaded = loadConfig(f.env, ['vault', 'backup']);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const db = openDatabase(f.dataDir);
    const notifier = new RecordingNotifier();
    const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), notifier, logger: pino({ level: 'silent' }) });
    try {
      await engine.start();
      // Paged once (issue 7): a dead run is on-call's business, not a passing remark.
      expect(notifier.pages).toHaveLength(1);
      expect(notifier.pages[0]).toMatchObject({ kind: 'daily', step: 'interrupted', interrupted: true });
      expect(notifier.pages[0]?.reason).toMatch(/daily backup started .* was interrupted: the process running it stopped .* It was not retried/);
      expect(engine.catalogue.lastRun()?.status).toBe('interrupted');
      expect(f.vault.requests.filter((r) => r.url.startsWith('/v1/sys/storage/raft/snapshot'))).toHaveLength(0);
      expect(new AuditLog(db).tail(5).some((r) => r.event === 'backup.interrupted')).toBe(true);
    } finally {
      engine.stop();
      db.close();
    }
  });
});

describe('startScheduler', () => {
  it('runs a job on its cron schedule (UTC) and stops when asked', async () => {
    let runs = 0;
    let resolveFirst: () => void = () => undefined;
    const first = new Promise<void>((resolve) => { resolveFirst = resolve; });
    const scheduler = startScheduler([{ name: 'every-second', cron: '* * * * * *', run: async () => { runs += 1; resolveFirst(); } }], pino({ level: 'silent' }));
    await first;
    await scheduler.stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 1500));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(runs).toBe(after);
    expect(scheduler.names()).toEqual(['every-second']);
  });
});
