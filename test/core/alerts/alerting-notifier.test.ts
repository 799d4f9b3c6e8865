/**
 * Backup and restore-test outcomes through the alert lifecycle (issue 8 review): any successful
 * backup clears a failed daily or monthly backup and says which one did; a restore test that could
 * not even resolve the latest backup counts as a failed restore test, so the health rounds keep it
 * firing instead of clearing it on last week's pass; an uninitialised Vault is not titled "sealed".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine, AlertingNotifier, type AlertMessageRef, type AlertNotifier, type AlertView } from '../../../src/core/alerts/index.js';
import { AuditLog } from '../../../src/core/audit/index.js';
import { BackupCatalogue } from '../../../src/core/backup/catalogue.js';
import { openDatabase, type Database } from '../../../src/core/db/index.js';
import { restoreTestResult } from '../../../src/core/health/backup-checks.js';
import { sealedResult } from '../../../src/core/health/vault-checks.js';
import { silentNotifier } from '../../../src/core/notifier.js';

class Chat implements AlertNotifier {
  lines: string[] = [];
  #n = 0;
  async fired(a: AlertView): Promise<AlertMessageRef> {
    this.lines.push(`fired ${a.title}`);
    return { channel: 'C1', ts: String(++this.#n) };
  }
  async reminder(): Promise<void> {}
  async acknowledged(): Promise<void> {}
  async resolved(a: AlertView): Promise<void> {
    this.lines.push(`resolved ${a.title}: ${a.detail}`);
  }
  async note(): Promise<void> {}
}

describe('alerting notifier', () => {
  let dir: string;
  let db: Database;
  let chat: Chat;
  let engine: AlertEngine;
  let catalogue: BackupCatalogue;
  let now: Date;
  const logger = pino({ level: 'silent' });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vc-alerting-notifier-'));
    db = openDatabase(dir);
    now = new Date('2025-11-26T03:00:00Z');
    chat = new Chat();
    engine = new AlertEngine({ db, audit: new AuditLog(db), notifier: chat, logger, clock: () => now, afterFailures: 2 });
    catalogue = new BackupCatalogue(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failed monthly backup is cleared by the next good backup of any kind, naming it', async () => {
    const notifier = new AlertingNotifier(silentNotifier, engine, logger);
    await notifier.backupFailed({ kind: 'monthly', step: 'upload', reason: 'the store refused the upload' } as Parameters<AlertingNotifier['backupFailed']>[0]);
    await notifier.backupSucceeded({ kind: 'daily', key: 'daily/2025-11-26.snap.enc', store: 's3', storedBytes: 1, plainBytes: 1, sha256: 'x', durationMs: 1, deleted: [] });
    expect(engine.firing()).toEqual([]);
    expect(chat.lines[1]).toContain('resolved Backup failed (monthly)');
    expect(chat.lines[1]).toContain('Cleared by the successful daily backup daily/2025-11-26.snap.enc.');
  });

  it('a restore test that failed resolving the latest backup counts as failed: the health check fails and the rounds keep the alert', async () => {
    const passed = catalogue.startRestore({ key: 'daily/a', target: 'staging', purpose: 'restore-test', dryRun: false, owner: 'x' });
    catalogue.finishRestore(passed, { status: 'succeeded', recoveryMs: 1000 });
    const notifier = new AlertingNotifier(silentNotifier, engine, logger, () => catalogue);
    await notifier.restoreTestFinished(
      { key: 'latest', target: 'staging', recoveryMs: 0, canary: 'skipped', dryRun: false },
      { step: 'plan', reason: 'no backup in the store can be read' },
    );
    expect(catalogue.lastRestore('restore-test')?.status).toBe('failed');
    const check = restoreTestResult(catalogue);
    expect(check.state).toBe('fail');
    for (let i = 0; i < 3; i += 1) {
      await engine.observe({ startedAt: now, durationMs: 1, results: [restoreTestResult(catalogue)] });
      now = new Date(now.getTime() + 60_000);
    }
    expect(engine.firing().map((a) => a.key)).toEqual(['restore_test_failed']);
    expect(chat.lines).toEqual(['fired Restore test failed']);
  });

  it('an uninitialised Vault fires the critical alert titled "Vault is not initialised", not "sealed"', async () => {
    const h = { code: 501, state: 'uninitialized', initialized: false, sealed: true, standby: false, performanceStandby: false, version: '1.17.0', latencyMs: 1 };
    await engine.observe({ startedAt: now, durationMs: 1, results: [sealedResult(h as Parameters<typeof sealedResult>[0])] });
    expect(chat.lines).toEqual(['fired Vault is not initialised']);
    expect(engine.firing()[0]?.severity).toBe('critical');
  });
});
