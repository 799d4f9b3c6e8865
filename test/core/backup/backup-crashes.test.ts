/**
 * What a crash, a second process or a failing store leaves behind, and what on-call is told.
 * Failures are injected through the BackupStore interface only; everything else is real.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AuditLog } from '../../../src/core/audit/index.js';
import { BackupEngine } from '../../../src/core/backup-engine.js';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { openDatabase } from '../../../src/core/db/index.js';
import type { BackupStore } from '../../../src/core/store/backup-store.js';
import { RecordingNotifier } from '../../support/recording-notifier.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

const open: BackupFixture[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  closers.splice(0).forEach((c) => c());
  await Promise.all(open.splice(0).map((f) => f.close()));
});
async function fixture(...args: Parameters<typeof backupFixture>): Promise<BackupFixture> {
  const f = await backupFixture(...args);
  open.push(f);
  return f;
}
async function keys(store: BackupStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list()) out.push(o.key);
  return out;
}
/** A second engine on the same data directory: another process, as the CLI is while the bot runs. */
async function secondEngine(f: BackupFixture): Promise<{ engine: BackupEngine; notifier: RecordingNotifier }> {
  const loaded = loadConfig(f.env, ['vault', 'backup']);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const db = openDatabase(f.dataDir);
  const notifier = new RecordingNotifier();
  const engine = new BackupEngine({ config: loaded.config, db, audit: new AuditLog(db), notifier, logger: pino({ level: 'silent' }) });
  closers.push(() => { engine.stop(); db.close(); });
  return { engine, notifier };
}

describe('runs across processes', () => {
  it('a CLI starting while the bot backs up neither interrupts that backup nor overlaps it', async () => {
    const f = await fixture({ vault: { snapshotSize: 1024 * 1024 } });
    f.vault.faults.latencyMs = 150;
    const running = f.engine.backup('daily', 'system');
    await new Promise((r) => setTimeout(r, 50));
    const cli = await secondEngine(f);
    await cli.engine.start();
    const second = await cli.engine.backup('manual', 'cli');
    f.vault.faults.latencyMs = 0;
    expect(second).toMatchObject({ ok: false, step: 'start', error: { code: 'backup_running' } });
    // Who started it, when, which process, and how long "wait" can last after a kill -9.
    expect(second.ok ? '' : second.error.userMessage).toMatch(
      /^A daily backup is already running: started \d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC \(.*\) by system in process .+:\d+, last heartbeat .*\. Wait for it to finish\. If that process was killed, the run is treated as dead 1 min( 00 s)? after its last heartbeat/,
    );
    expect(cli.notifier.pages.at(-1)).toMatchObject({ step: 'start' });
    expect(cli.notifier.infos.filter((t) => /interrupted/.test(t))).toEqual([]);
    const first = await running;
    expect(first.ok).toBe(true);
    expect(f.engine.catalogue.lastRun()?.status).not.toBe('interrupted');
  });

  it('a run whose process died is reported once, and the unverified object it left is deleted', async () => {
    const f = await fixture();
    const key = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    await f.engine.store.put(key, Readable.from([Buffer.from('half a backup')]), () => ({}));
    const db = openDatabase(f.dataDir);
    db.prepare(`INSERT INTO backup_runs (kind, key, status, started_at, owner) VALUES ('daily', ?, 'running', '2025-11-26T02:00:00Z', ?)`).run(key, `${(await import('node:os')).hostname()}:999999`);
    db.close();

    const next = await secondEngine(f);
    await next.engine.start();
    expect(next.notifier.pages.filter((p) => p.interrupted && /daily backup started 2025-11-26T02:00:00Z was interrupted/.test(p.reason))).toHaveLength(1);
    expect(await keys(next.engine.store)).not.toContain(key);
    expect((await next.engine.backup('manual', 'cli')).ok).toBe(true);
  });
});

describe('store failures', () => {
  it('a read error while verifying leaves no unverified object under the final name', async () => {
    let failReads = false;
    const f = await fixture({
      wrapStore: (s) => ({
        location: s.location, put: (k, b, m) => s.put(k, b, m), stat: (k) => s.stat(k), list: (p) => s.list(p), delete: (k) => s.delete(k),
        get: async (k) => {
          if (failReads) throw new Error('connection reset by peer');
          return s.get(k);
        },
      }),
    });
    failReads = true;
    const outcome = await f.engine.backup('daily', 'system');
    expect(outcome).toMatchObject({ ok: false, step: 'verify' });
    expect(f.notifier.pages.at(-1)?.reason).toMatch(/could not be read back to verify it; it was deleted/);
    expect(await keys(f.engine.store)).toEqual([]);
  });

  it('a store that cannot even be listed pages with step start, and is audited', async () => {
    const f = await fixture({
      wrapStore: (s) => ({ ...s, location: s.location, stat: async () => { throw new Error('ENOTDIR: not a directory'); }, get: (k) => s.get(k), put: (k, b, m) => s.put(k, b, m), list: (p) => s.list(p), delete: (k) => s.delete(k) }),
    });
    const outcome = await f.engine.backup('daily', 'system');
    expect(outcome).toMatchObject({ ok: false, step: 'start' });
    expect(f.notifier.pages.at(-1)).toMatchObject({ kind: 'daily', step: 'start' });
    expect(f.audit.tail(5).some((r) => r.event === 'backup.failed' && (r.details as { step?: string }).step === 'start')).toBe(true);
  });

  it('a store failing mid-upload (disk full) is reported as the upload step, not the snapshot', async () => {
    const f = await fixture({
      vault: { snapshotSize: 2 * 1024 * 1024 },
      wrapStore: (s) => ({
        location: s.location, stat: (k) => s.stat(k), get: (k) => s.get(k), list: (p) => s.list(p), delete: (k) => s.delete(k),
        put: async (_k, body) => {
          let seen = 0;
          await pipeline(body, new Writable({ write(chunk: Buffer, _e, done) { seen += chunk.length; done(seen > 500_000 ? new Error('ENOSPC: no space left on device') : null); } }));
          throw new Error('unreachable');
        },
      }),
    });
    const outcome = await f.engine.backup('daily', 'system');
    expect(outcome).toMatchObject({ ok: false, step: 'upload' });
    expect(f.notifier.pages.at(-1)?.step).toBe('upload');
  });
});
