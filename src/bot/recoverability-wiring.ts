/**
 * @module bot/recoverability-wiring
 * Puts issue 10 together for the running bot: the `recover` and `drill` actions on the approval
 * engine, the drill runner with its history, the scheduled drills (the weekly restore test and
 * `DRILL_CRON`, on the same code as `/vault drill`), and the compliance report that is uploaded to
 * the ops channel. Completed recoveries and drills become PagerDuty change events when configured.
 * Kept out of `launch.ts` so that stays a list.
 */
import type { webApi } from '@slack/bolt';
import type Database from 'better-sqlite3';
import { drillAction, recoverAction } from '../core/actions/index.js';
import type { ApprovalEngine } from '../core/approvals/index.js';
import type { AuditLog } from '../core/audit/index.js';
import type { BackupEngine } from '../core/backup-engine.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config/index.js';
import { DrillRunner, DrillStore, RecoveryEstimates, rotationDrill, scheduledDrillJobs, sealDrill, type DrillReport } from '../core/drills/index.js';
import { runHealthRound } from '../core/health/index.js';
import type { RotationRules } from '../core/rotation/rules.js';
import type { Logger } from '../core/logger.js';
import type { Notifier } from '../core/notifier.js';
import type { VaultClient } from '../core/vault/client.js';
import { ReportService } from '../core/report/index.js';
import type { ScheduledJob } from '../core/scheduler.js';
import type { ApprovalMessenger } from './approval-messenger.js';
import { plainMessage } from './blocks/kit.js';
import { shareFile } from './file-upload.js';
import { escapeText } from './text.js';

export interface RecoverabilityOptions {
  config: Config;
  db: Database.Database;
  audit: AuditLog;
  logger: Logger;
  clock: Clock;
  backups: BackupEngine;
  client: webApi.WebClient;
  notifier: Notifier;
  /** The messenger is made after the actions are registered; asked for when a line is posted. */
  messenger: () => ApprovalMessenger;
  /** ROTATION_RULES, for the rotation drill (its canary uses the `password` convention when no rule matches). */
  rotationRules?: RotationRules;
  /** Seal drill: pause between health rounds while waiting for detection (default 1 s; tests shorten it). */
  sealDrillPollMs?: number;
  /** PagerDuty change events (issue 8's `changeEvents`), when configured: completed recoveries and drills. */
  changeEvents?: { record(event: { summary: string; source?: string; custom_details?: Record<string, unknown> }): void };
}

export interface Recoverability {
  drills: DrillRunner;
  /** Recovery-time estimates: shown on restore requests, recorded with the actual time. */
  estimates: RecoveryEstimates;
  reports: ReportService;
  register(approvals: Pick<ApprovalEngine, 'register'>): void;
  /** The weekly restore test and `DRILL_CRON`; they replace the engine's own restore-test job. */
  jobs(): ScheduledJob[];
}

export function wireRecoverability(o: RecoverabilityOptions): Recoverability {
  const { backups, config, logger } = o;
  const store = new DrillStore(o.db, { clock: o.clock });
  for (const lost of store.markInterrupted()) {
    o.audit.append({ actor: 'system', event: 'drill.interrupted', target: lost.scenario, details: { drill: lost.id, startedAt: lost.startedAt } });
    void o.notifier.info(`The ${lost.scenario} drill #${lost.id} started ${lost.startedAt} was interrupted (the process stopped); it was not re-run.`).catch(() => undefined);
  }
  const estimates = new RecoveryEstimates(o.db, { clock: o.clock });
  const withStaging = <T>(fn: (vault: VaultClient) => Promise<T>): Promise<T> => backups.withStagingClient(fn);
  const plugins = {
    seal: sealDrill({ withStaging, runRound: (vault) => runHealthRound({ vault, latencyWarnMs: config.latencyWarnMs }), ...(o.sealDrillPollMs ? { pollMs: o.sealDrillPollMs } : {}) }),
    rotation: rotationDrill({ withStaging, rules: o.rotationRules ?? [], audit: o.audit }),
  };
  const drills = new DrillRunner({ engine: backups, store, audit: o.audit, logger, targets: config.drills, estimates, plugins });
  const source = backups.vault.address;
  const drillChanged = (r: DrillReport): void =>
    o.changeEvents?.record({ summary: r.summary, source, custom_details: { kind: 'drill', scenario: r.scenario, drill: r.id, durationMs: r.durationMs, targetMs: r.targetMs, met: r.met, status: r.status } });

  const reports = new ReportService({
    db: o.db, audit: o.audit, drills: store, clock: o.clock,
    publish: async (file) => {
      await shareFile(o.client, config.slack.opsChannel, { filename: file.filename, title: file.title, content: file.content, initialComment: file.title });
    },
  });

  return {
    drills,
    estimates,
    reports,
    register(approvals) {
      approvals.register(
        recoverAction(
          {
            production: backups.vault, stagingAddress: backups.stagingAddress, audit: o.audit,
            restore: (plan, opts) => backups.restore(plan, opts),
            sourceAt: (addr) => backups.productionCredentialsAt(addr),
          },
          (r, requester) => {
            const written = r.outcomes.filter((x) => x.status === 'written').length;
            o.changeEvents?.record({ summary: `Recovered ${written} secret(s) at ${r.target} from ${r.key} (requested by ${requester})`, source, custom_details: { kind: 'recover', key: r.key, target: r.target, written, totalMs: r.totalMs } });
          },
        ),
      );
      approvals.register(drillAction(drills, (id) => (line) => o.messenger().reply(id, plainMessage(`:hourglass_flowing_sand: ${escapeText(line)}`)), drillChanged));
    },
    jobs: () => scheduledDrillJobs({ drills, notifier: o.notifier, restoreTestCron: config.schedule.restoreTestCron, drillCron: config.drills.cron, onReport: drillChanged }),
  };
}
