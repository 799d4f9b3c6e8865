/**
 * @module handlers/status
 * `/vault status`: Vault health, seal and leader, the last good backup and its age, the last
 * failed run and the last restore test. Vault calls are bounded so a hung Vault still gets an answer.
 */
import { renderStatus, type StatusFacts } from '../bot/blocks/status-message.js';
import { withTimeout } from '../bot/with-timeout.js';
import { asCoreError } from '../core/errors.js';
import { backupAgeHours, MAX_BACKUP_AGE_HOURS } from '../core/scheduler.js';
import type { HandlerDeps, Reply } from './deps.js';

const VAULT_TIMEOUT_MS = 2500;

export async function showStatus(deps: HandlerDeps, reply: Reply): Promise<void> {
  const { backups, approvals, clock } = deps;
  const [health, leader] = await Promise.allSettled([
    withTimeout(backups.vault.health(), VAULT_TIMEOUT_MS),
    withTimeout(backups.vault.leader(), VAULT_TIMEOUT_MS),
  ]);
  const lastBackup = backups.catalogue.newestVerified();
  const age = backupAgeHours(lastBackup ? new Date(lastBackup.createdAt) : undefined, clock());
  const lastRun = backups.catalogue.lastRun();
  const lastRestoreTest = backups.catalogue.lastRestore('restore-test');
  const facts: StatusFacts = {
    address: backups.vault.address,
    vault:
      health.status === 'fulfilled'
        ? { reachable: true, health: health.value, ...(leader.status === 'fulfilled' ? { leader: leader.value } : {}) }
        : { reachable: false, reason: asCoreError(health.reason, 'no answer').userMessage },
    ...(lastBackup ? { lastBackup } : {}),
    ...(age !== undefined ? { lastBackupAgeHours: age } : {}),
    maxAgeHours: MAX_BACKUP_AGE_HOURS,
    ...(lastRun ? { lastRun } : {}),
    ...(lastRestoreTest ? { lastRestoreTest } : {}),
    pendingRequests: approvals.list({ states: ['pending'] }).length,
  };
  await reply(renderStatus(facts));
}
