/**
 * The alert lifecycle in core, driven by real health rounds against the Vault test server, with
 * the incident's "chat" recorded at the public AlertNotifier interface: one firing per incident,
 * reminders until acknowledged, resolution after consecutive passes, nothing re-fired after a
 * restart, and a message Slack did not take delivered on the next round.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine, AlertingNotifier, type AlertMessageRef, type AlertNotifier, type AlertView } from '../../../src/core/alerts/index.js';
import { AuditLog } from '../../../src/core/audit/index.js';
import { openDatabase, type Database } from '../../../src/core/db/index.js';
import { runHealthRound } from '../../../src/core/health/index.js';
import { silentNotifier } from '../../../src/core/notifier.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { startVaultServer } from '../../support/vault/server.js';
import type { VaultTestServer } from '../../support/vault/types.js';

class RecordingAlertNotifier implements AlertNotifier {
  lines: string[] = [];
  failing = false;
  #n = 0;
  async fired(a: AlertView): Promise<AlertMessageRef> {
    this.#check();
    this.lines.push(`fired ${a.key} ${a.severity}`);
    return { channel: 'C1', ts: String(++this.#n) };
  }
  async reminder(a: AlertView): Promise<void> {
    this.#check();
    this.lines.push(`reminder ${a.key} #${a.reminders}`);
  }
  async acknowledged(a: AlertView): Promise<void> {
    this.lines.push(`acknowledged ${a.key} by ${a.ackedBy}`);
  }
  async resolved(a: AlertView): Promise<void> {
    this.#check();
    this.lines.push(`resolved ${a.key}`);
  }
  async note(a: AlertView, _ref: AlertMessageRef, text: string): Promise<void> {
    this.lines.push(`note ${a.key}: ${text}`);
  }
  #check(): void {
    if (this.failing) throw new Error('slack is down');
  }
}

describe('alert engine', () => {
  let vault: VaultTestServer;
  let dir: string;
  let db: Database;
  let audit: AuditLog;
  let chat: RecordingAlertNotifier;
  let now: Date;
  let engine: AlertEngine;
  let client: VaultClient;
  const logger = pino({ level: 'silent' });
  const build = () => new AlertEngine({ db, audit, notifier: chat, logger, clock: () => now, afterFailures: 2, remindMinutes: 15 });
  const round = async (): Promise<void> => {
    await engine.observe(await runHealthRound({ vault: client, clock: () => now, timeoutMs: 1000, latencyWarnMs: 1000 }));
    now = new Date(now.getTime() + 60_000);
  };
  const events = () => audit.tail(100).map((r) => r.event).filter((e) => e.startsWith('alert.'));

  beforeEach(async () => {
    vault = await startVaultServer();
    client = new VaultClient({ addr: vault.url, token: vault.rootToken, requestTimeoutMs: 1000 });
    dir = mkdtempSync(join(tmpdir(), 'vc-alerts-'));
    db = openDatabase(dir);
    audit = new AuditLog(db);
    chat = new RecordingAlertNotifier();
    now = new Date('2025-11-26T03:00:00Z');
    engine = build();
  });
  afterEach(async () => {
    db.close();
    await vault.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sealed Vault fires one critical alert at once, and unsealing resolves it after two passing rounds', async () => {
    await round();
    vault.state.sealed = true;
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical']);
    await round();
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical']);
    vault.state.sealed = false;
    await round();
    expect(engine.firing().map((a) => a.key)).toEqual(['vault_sealed']);
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical', 'resolved vault_sealed']);
    expect(events()).toEqual(['alert.fired', 'alert.resolved']);
  });

  it('other checks fire only after ALERT_AFTER_FAILURES consecutive failures', async () => {
    vault.faults = { autopilotUnhealthy: true };
    await round();
    expect(chat.lines).toEqual([]);
    await round();
    expect(chat.lines).toEqual(['fired raft_unhealthy high']);
  });

  it('a flapping condition stays one incident', async () => {
    vault.faults = { autopilotUnhealthy: true };
    await round();
    await round();
    for (let i = 0; i < 3; i += 1) {
      vault.faults = {};
      await round();
      vault.faults = { autopilotUnhealthy: true };
      await round();
    }
    expect(chat.lines).toEqual(['fired raft_unhealthy high']);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM alerts`).get()).toEqual({ n: 1 });
  });

  it('reminds a critical alert every 15 minutes until acknowledged, then stops', async () => {
    vault.state.sealed = true;
    await round();
    now = new Date(now.getTime() + 15 * 60_000);
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical', 'reminder vault_sealed #1']);
    const [alert] = engine.firing();
    const ack = await engine.acknowledge(alert?.id ?? 0, 'U0ALICE');
    expect(ack.outcome).toBe('acknowledged');
    expect(await engine.acknowledge(alert?.id ?? 0, 'U0BOB')).toMatchObject({ outcome: 'already_acknowledged' });
    now = new Date(now.getTime() + 60 * 60_000);
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical', 'reminder vault_sealed #1', 'acknowledged vault_sealed by U0ALICE']);
    const acked = audit.tail(100).find((r) => r.event === 'alert.acknowledged');
    expect(acked).toMatchObject({ actor: 'U0ALICE', target: 'vault_sealed' });
  });

  it('a restart while an alert fires does not fire it again', async () => {
    vault.state.sealed = true;
    await round();
    engine = build();
    await round();
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical']);
  });

  it('a message Slack did not take stays owed and goes out on the next round, once', async () => {
    chat.failing = true;
    vault.state.sealed = true;
    await round();
    expect(chat.lines).toEqual([]);
    expect(engine.firing()[0]?.messageRef).toBeUndefined();
    chat.failing = false;
    await round();
    await round();
    expect(chat.lines).toEqual(['fired vault_sealed critical']);
  });

  it('a failing backup pages once per kind until any backup succeeds', async () => {
    const notifier = new AlertingNotifier(silentNotifier, engine, logger);
    const failure = { kind: 'daily' as const, step: 'snapshot', reason: 'Vault answered 500' };
    await notifier.backupFailed(failure);
    await notifier.backupFailed(failure);
    expect(chat.lines).toEqual(['fired backup_failed critical', 'note backup_failed: Still failing: The daily backup failed at step snapshot: Vault answered 500.']);
    expect(engine.firing().map((a) => `${a.key}:${a.scope}`)).toEqual(['backup_failed:daily']);
    // A good backup of another kind proves backups work again.
    await notifier.backupSucceeded({ kind: 'monthly', key: 'm', store: 's', storedBytes: 1, plainBytes: 1, sha256: 'x', durationMs: 1, deleted: [] });
    expect(chat.lines.at(-1)).toBe('resolved backup_failed');
    expect(engine.firing()).toEqual([]);
    // A one-off manual backup that failed is cleared by any good backup.
    await notifier.backupFailed({ ...failure, kind: 'manual' });
    await notifier.backupSucceeded({ kind: 'daily', key: 'd2', store: 's', storedBytes: 1, plainBytes: 1, sha256: 'x', durationMs: 1, deleted: [] });
    expect(engine.firing()).toEqual([]);
  });

  it('a failed restore test raises the high restore_test_failed alert at once; the next passing test clears it', async () => {
    const notifier = new AlertingNotifier(silentNotifier, engine, logger);
    const report = { key: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc', target: 'staging' as const, recoveryMs: 0, canary: 'skipped' as const, dryRun: false };
    await notifier.restoreTestFinished(report, { step: 'restore', reason: 'staging answered 500' });
    expect(chat.lines).toEqual(['fired restore_test_failed high']);
    expect(engine.firing()[0]?.detail).toBe(`The restore test of ${report.key} into staging failed at step restore: staging answered 500.`);
    await notifier.restoreTestFinished({ ...report, recoveryMs: 41_000, canary: 'ok' });
    expect(chat.lines).toEqual(['fired restore_test_failed high', 'resolved restore_test_failed']);
  });
});
