/**
 * @module backup/run-retention
 * Lists the store (every page), plans retention, and either reports the plan (dry run) or deletes
 * exactly what it lists, auditing each deletion. A deletion that fails is reported and skipped;
 * it never stops the others.
 */
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/types.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { BackupStore } from '../store/backup-store.js';
import type { BackupCatalogue } from './catalogue.js';
import { planRetention, type RetentionPlan, type RetentionPolicy } from './retention.js';

export interface RetentionDeps {
  store: BackupStore;
  catalogue: BackupCatalogue;
  audit: AuditTrail;
  logger: Logger;
  policy: RetentionPolicy;
  clock?: Clock;
}

export interface RetentionOutcome {
  plan: RetentionPlan;
  dryRun: boolean;
  deleted: string[];
  failed: Array<{ key: string; reason: string }>;
}

export async function runRetention(deps: RetentionDeps, opts: { dryRun: boolean; actor: string }): Promise<RetentionOutcome> {
  const keys: string[] = [];
  for await (const o of deps.store.list()) keys.push(o.key);
  const newestVerifiedKey = deps.catalogue.newestVerified()?.key;
  const plan = planRetention(keys, deps.policy, { now: (deps.clock ?? systemClock)(), ...(newestVerifiedKey ? { newestVerifiedKey } : {}) });
  const outcome: RetentionOutcome = { plan, dryRun: opts.dryRun, deleted: [], failed: [] };
  if (opts.dryRun) return outcome;

  for (const victim of plan.delete) {
    try {
      await deps.store.delete(victim.key);
      deps.catalogue.markDeleted(victim.key);
      deps.audit.append({ actor: opts.actor, event: 'backup.deleted', target: victim.key, details: { reason: victim.reason, kind: victim.kind } });
      outcome.deleted.push(victim.key);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      deps.logger.error({ key: victim.key, err: error }, 'retention could not delete a backup');
      deps.audit.append({ actor: opts.actor, event: 'backup.delete_failed', target: victim.key, details: { reason } });
      outcome.failed.push({ key: victim.key, reason });
    }
  }
  deps.logger.info({ kept: plan.keep.length, deleted: outcome.deleted.length, failed: outcome.failed.length }, 'retention finished');
  return outcome;
}
