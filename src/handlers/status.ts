/**
 * @module handlers/status
 * `/vault status`: Vault now (health, seal, leader — bounded, so a hung Vault still gets an
 * answer), the health checks as the last round left them and since when, what is firing, the
 * last good and last failed backup, a running backup, and the last restore test.
 */
import { renderStatus, type StatusFacts } from '../bot/blocks/status-message.js';
import { withTimeout } from '../bot/with-timeout.js';
import { CHECK_ORDER } from '../core/health/index.js';
import { asCoreError } from '../core/errors.js';
import { backupAgeHours, MAX_BACKUP_AGE_HOURS } from '../core/scheduler.js';
import type { HandlerDeps, Reply } from './deps.js';

const VAULT_TIMEOUT_MS = 2500;

export async function showStatus(deps: HandlerDeps, reply: Reply): Promise<void> {
  const { backups, approvals, alerts, clock } = deps;
  const [health, leader] = await Promise.allSettled([
    withTimeout(backups.vault.health(), VAULT_TIMEOUT_MS),
    withTimeout(backups.vault.leader(), VAULT_TIMEOUT_MS),
  ]);
  const now = clock();
  const lastBackup = backups.catalogue.newestVerified();
  const age = backupAgeHours(lastBackup ? new Date(lastBackup.createdAt) : undefined, now);
  const lastFailedRun = backups.catalogue.lastFailedRun();
  const runningRun = backups.catalogue.runningRun();
  const lastRestoreTest = backups.catalogue.lastRestore('restore-test');
  const checks = alerts.checks.all().sort((a, b) => CHECK_ORDER.indexOf(a.name) - CHECK_ORDER.indexOf(b.name));
  const facts: StatusFacts = {
    address: backups.vault.address,
    vault:
      health.status === 'fulfilled'
        ? { reachable: true, health: health.value, ...(leader.status === 'fulfilled' ? { leader: leader.value } : {}) }
        : { reachable: false, reason: asCoreError(health.reason, 'no answer').userMessage },
    ...(lastBackup ? { lastBackup } : {}),
    ...(age !== undefined ? { lastBackupAgeHours: age } : {}),
    maxAgeHours: MAX_BACKUP_AGE_HOURS,
    ...(lastFailedRun ? { lastFailedRun } : {}),
    ...(runningRun ? { runningRun } : {}),
    ...(lastRestoreTest ? { lastRestoreTest } : {}),
    pendingRequests: approvals.list({ states: ['pending'] }).length,
    checks,
    firing: alerts.firing(),
    now,
    ...(deps.notifications && deps.notifications.undeliveredCount > 0
      ? { undelivered: { count: deps.notifications.undeliveredCount, latest: deps.notifications.undelivered(3) } }
      : {}),
  };
  await reply(renderStatus(facts));
}
