/**
 * Failure paths that do not depend on the database (issue 7 item 2). Another connection holds the
 * write lock (BEGIN EXCLUSIVE) while a backup fails: on-call is still paged, nothing uncatalogued
 * stays in the store, the in-process slot is free at once, and the audit row and the run's status
 * are written as soon as the lock clears.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AuditLog } from '../../../src/core/audit/index.js';
import { BackupEngine } from '../../../src/core/backup-engine.js';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { openDatabase } from '../../../src/core/db/index.js';
import type { BackupStore } from '../../../src/core/store/backup-store.js';
import { createBackupStore } from '../../../src/core/store/create-store.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const open: BackupFixture[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function keys(store: BackupStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list()) out.push(o.key);
  return out;
}

async function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A bot whose database another connection can lock; `lockAfterUpload` takes the lock once the object is stored. */
async function setup() {
  const f = await backupFixture();
  open.push(f);
  const loaded = loadConfig(f.env, ['vault', 'backup']);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  // The production busy timeout is 5 s; 50 ms keeps the test fast without changing what happens.
  const db = openDatabase(f.dataDir, { busyTimeoutMs: 50 });
  const locker = openDatabase(f.dataDir);
  const lock = { held: false, afterUpload: false };
  const take = () => { locker.exec('BEGIN EXCLUSIVE'); lock.held = true; };
  const clear = () => { if (lock.held) locker.exec('COMMIT'); lock.held = false; };
  const inner = createBackupStore(loaded.config.backup.store);
  const store: BackupStore = {
    location: inner.location, get: (k) => inner.get(k), stat: (k) => inner.stat(k), list: (p) => inner.list(p), delete: (k) => inner.delete(k),
    put: async (k, body, meta) => {
      const written = await inner.put(k, body, meta);
      if (lock.afterUpload) take();
      return written;
    },
  };
  const notifier = new RecordingNotifier();
  const engine = new BackupEngine({
    config: loaded.config, db, audit: new AuditLog(db), notifier, logger: pino({ level: 'silent' }), store, lease: { heartbeatMs: 50 },
  });
  closers.push(() => { clear(); engine.stop(); db.close(); locker.close(); });
  // Read through the locking connection: it sees the database as it is.
  const rows = (event: string) => new AuditLog(locker).tail(100).filter((r) => r.event === event);
  return { f, engine, notifier, store, lock, take, clear, rows, locker };
}

describe('a backup failing while the database is locked', () => {
  it('pages, leaves no uncatalogued object, frees the slot, and is audited once the lock clears', async () => {
    const t = await setup();
    t.lock.afterUpload = true;

    const failed = await t.engine.backup('daily', 'system');
    expect(failed).toMatchObject({ ok: false, step: 'catalogue' });
    expect(t.notifier.pages).toHaveLength(1);
    expect(t.notifier.pages[0]).toMatchObject({ kind: 'daily', step: 'catalogue' });
    expect(t.notifier.pages[0]?.reason).toMatch(/stored and verified, but the database could not be written \(database is locked\); it was deleted/);
    expect(await keys(t.store)).toEqual([]);
    expect(t.rows('backup.failed')).toEqual([]);

    // The in-process queue is not stuck: the next backup runs at once and pages why it cannot start.
    t.lock.afterUpload = false;
    const refused = await t.engine.backup('manual', 'cli');
    expect(refused).toMatchObject({ ok: false, step: 'start' });
    expect(t.notifier.pages[1]?.reason).toMatch(/could not start: the database could not be written \(database is locked\)/);

    t.clear();
    // The heartbeat retries the waiting writes: both failures are audited, in order, once each.
    await until(() => t.rows('backup.failed').length === 2, 'the delayed audit rows');
    const [first, second] = t.rows('backup.failed');
    expect(first?.details).toMatchObject({ step: 'catalogue', recordedLate: true });
    expect(second?.details).toMatchObject({ step: 'start', recordedLate: true });
    expect(t.locker.prepare(`SELECT status, step FROM backup_runs ORDER BY id`).all()).toEqual([{ status: 'failed', step: 'catalogue' }]);

    const next = await t.engine.backup('manual', 'cli');
    expect(next.ok).toBe(true);
    expect(await keys(t.store)).toHaveLength(1);
    expect(t.rows('backup.failed')).toHaveLength(2);
  });

  it('locked from the start: the failure is still paged and audited later, and nothing is left running', async () => {
    const t = await setup();
    t.take();
    const failed = await t.engine.backup('daily', 'system');
    expect(failed).toMatchObject({ ok: false, step: 'start' });
    expect(t.notifier.pages.map((p) => p.step)).toEqual(['start']);
    t.clear();
    await until(() => t.rows('backup.failed').length === 1, 'the delayed audit row');
    expect(t.locker.prepare(`SELECT count(*) AS n FROM backup_runs WHERE status = 'running'`).get()).toEqual({ n: 0 });
    expect((await t.engine.backup('daily', 'system')).ok).toBe(true);
  });

  it('while the lock lasts, the heartbeat and the retries of waiting writes hold the bot for a moment, not the 5 s busy timeout', async () => {
    const f = await backupFixture();
    open.push(f);
    const loaded = loadConfig(f.env, ['vault', 'backup']);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const db = openDatabase(f.dataDir); // the production busy timeout: 5 s
    const locker = openDatabase(f.dataDir);
    const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), notifier: new RecordingNotifier(), logger: pino({ level: 'silent' }) });
    closers.push(() => { engine.stop(); db.close(); locker.close(); });
    let tries = 0;
    // A write that already had to wait (its first try failed), now retried against the lock.
    engine.pending.attempt('test write', () => {
      tries += 1;
      if (tries === 1) throw new Error('database is locked');
      new AuditLog(db).append({ actor: 'system', event: 'test.delayed' });
    });
    locker.exec('BEGIN EXCLUSIVE');
    const started = Date.now();
    engine.lease.beat();
    expect(engine.flushPending()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1500);
    locker.exec('COMMIT');
    expect(engine.flushPending()).toBe(0);
    expect(new AuditLog(locker).tail(5).map((r) => r.event)).toContain('test.delayed');
  });
});
