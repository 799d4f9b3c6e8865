/**
 * @module drills/run-drill
 * One drill against staging (DESIGN §13), each step timed, measured against its target, kept in
 * SQLite and audited before and after. The weekly restore test, `DRILL_CRON`, `/vault drill` and the
 * CLI all run this code.
 *
 * - `restore-test`: the latest backup into staging (the restore path: download, sha256,
 *   authenticated decrypt, version check, safety snapshot, forced POST, canary read with
 *   production's credentials); target `RTO_RESTORE_MINUTES`.
 * - `backup-integrity`: download and authenticate every catalogued backup (or the newest N),
 *   streamed, one at a time; each failure names its object. No time target: it passes when every
 *   backup proves intact.
 * - `seal`, `rotation`: run by scenario plug-ins given at construction (see `DrillPlugins`); without
 *   one the drill is refused as not available yet.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/types.js';
import type { CatalogueEntry } from '../backup/catalogue.js';
import type { RestorePurpose } from '../backup/catalogue.js';
import type { VerifiedBackup } from '../backup/verify-backup.js';
import type { DrillConfig } from '../config/types.js';
import { asCoreError, CoreError, ErrorCode } from '../errors.js';
import type { RestoreOutcome } from '../restore/execute-restore.js';
import type { VaultClient } from '../vault/client.js';
import type { RestorePlan, RestoreTargetName } from '../restore/restore-plan.js';
import type { DrillStore } from './drill-store.js';
import type { RecoveryEstimates } from './recovery-estimate.js';
import type { DrillReport, DrillRequest, DrillScenario, DrillStep } from './types.js';
import { formatMs } from './format.js';

/** What drills need from the backup engine; `BackupEngine` satisfies it. */
export interface DrillEngine {
  readonly stagingAddress: string | undefined;
  readonly catalogue: { list(opts: { limit?: number }): CatalogueEntry[] };
  planRestore(spec: string, target: RestoreTargetName, force?: boolean): Promise<RestorePlan>;
  restore(plan: RestorePlan, opts: { actor: string; purpose: RestorePurpose; dryRun: boolean }): Promise<RestoreOutcome>;
  verify(spec: string): Promise<VerifiedBackup>;
  /** Production, and staging through a client that works: to refuse a "staging" that is production. */
  readonly vault?: Pick<VaultClient, 'health' | 'leader'>;
  withStagingClient?<T>(fn: (client: VaultClient) => Promise<T>): Promise<T>;
}

/** A scenario run by another part of the product (seal: the health round; rotation: the rotation core). */
export interface DrillPlugin {
  /** Runs against `stagingAddress`, recording each step with `step`; returns the measured time the target is about. */
  run(ctx: { stagingAddress: string; actor: string; step: StepRecorder }): Promise<{ measuredMs: number }>;
}
export type DrillPlugins = Partial<Record<'seal' | 'rotation', DrillPlugin>>;

/** Times `fn` as a step named `name`; a throw marks the step failed and propagates. */
export type StepRecorder = <T>(name: string, fn: () => Promise<T>, detail?: (value: T) => string | undefined) => Promise<T>;

export interface DrillRunnerOptions {
  engine: DrillEngine;
  store: DrillStore;
  audit: AuditTrail;
  logger: Logger;
  targets: DrillConfig;
  plugins?: DrillPlugins;
  /** Recovery-time estimates from measured restores (shown on restore requests). */
  estimates?: RecoveryEstimates;
  /** Progress lines during backup-integrity at most this often (default 30 s) and every `progressEvery` objects. */
  progressIntervalMs?: number;
  progressEvery?: number;
}

export const NO_STAGING_DRILL_MESSAGE =
  'Drills run against a staging Vault only, and none is configured; set VAULT_STAGING_ADDR and VAULT_STAGING_TOKEN, then ask again.';

const NOT_AVAILABLE: Record<'seal' | 'rotation', string> = {
  seal: 'The seal drill is not available in this version yet: it needs the health round to run against staging. The restore-test and backup-integrity drills are.',
  rotation: 'The rotation drill is not available in this version yet: it needs the rotation core to run against staging. The restore-test and backup-integrity drills are.',
};

export class DrillRunner {
  constructor(private readonly o: DrillRunnerOptions) {}

  /** Why this drill cannot run here (one sentence), or undefined when it can. Asked before a request is made. */
  refusal(scenario: DrillScenario): string | undefined {
    if (!this.o.engine.stagingAddress) return NO_STAGING_DRILL_MESSAGE;
    if ((scenario === 'seal' || scenario === 'rotation') && !this.o.plugins?.[scenario]) return NOT_AVAILABLE[scenario];
    return undefined;
  }

  targetMs(scenario: DrillScenario): number | null {
    const t = this.o.targets;
    if (scenario === 'restore-test') return t.rtoRestoreMinutes * 60_000;
    if (scenario === 'rotation') return t.rtoRotationMinutes * 60_000;
    if (scenario === 'seal') return t.rtoAlertMinutes * 60_000;
    return null;
  }

  /** The staging Vault drills run against now (a request freezes it; the action compares). */
  get stagingAddress(): string | undefined {
    return this.o.engine.stagingAddress;
  }

  get history(): DrillStore {
    return this.o.store;
  }

  /** Throws when built without estimates (the CLI's runner has none). */
  get estimates(): RecoveryEstimates {
    if (!this.o.estimates) throw new CoreError(ErrorCode.Internal, 'recovery-time estimates are not available here');
    return this.o.estimates;
  }

  /** Runs one drill to the end and returns its stored report; refuses (throws) only before anything started. */
  async run(req: DrillRequest, purpose: RestorePurpose = 'drill'): Promise<DrillReport> {
    const refused = this.refusal(req.scenario);
    if (refused) throw new CoreError(ErrorCode.RestoreRefused, refused);
    const target = this.o.engine.stagingAddress as string;
    const targetMs = this.targetMs(req.scenario);
    const row = this.o.store.start({ scenario: req.scenario, trigger: req.trigger, actor: req.actor, ...(req.requestId ? { requestId: req.requestId } : {}), target, targetMs });
    this.o.audit.append({ actor: req.actor, event: 'drill.started', target: req.scenario, details: { drill: row.id, trigger: req.trigger, staging: target, ...(req.requestId ? { request: req.requestId } : {}), ...(req.newest ? { newest: req.newest } : {}) } });
    const log = this.o.logger.child({ drill: row.id, scenario: req.scenario });

    const steps: DrillStep[] = [];
    const failures: string[] = [];
    const step: StepRecorder = async (name, fn, detail) => {
      const t0 = performance.now();
      try {
        const value = await fn();
        const d = detail?.(value);
        steps.push({ name, ms: Math.round(performance.now() - t0), ok: true, ...(d ? { detail: d } : {}) });
        return value;
      } catch (error) {
        steps.push({ name, ms: Math.round(performance.now() - t0), ok: false, detail: asCoreError(error, 'unexpected error; see the bot log').userMessage });
        throw error;
      }
    };

    const t0 = performance.now();
    let measuredMs: number | null = null;
    try {
      // restore-test checks it in its first step (so the weekly test's alert hears of it too).
      if (req.scenario === 'seal' || req.scenario === 'rotation') await step('check staging is not production', () => this.stagingIsNotProduction(target));
      if (req.scenario === 'restore-test') measuredMs = await this.restoreTest(req, step, purpose, target);
      else if (req.scenario === 'backup-integrity') await this.backupIntegrity(req, step, failures);
      else measuredMs = (await (this.o.plugins?.[req.scenario] as DrillPlugin).run({ stagingAddress: target, actor: req.actor, step })).measuredMs;
    } catch (error) {
      const e = asCoreError(error, 'unexpected error; see the bot log');
      log.error({ err: error }, `drill failed: ${e.userMessage}`);
      const where = steps.at(-1)?.name;
      failures.push(where ? `${where}: ${e.userMessage}` : e.userMessage);
    }
    const totalMs = Math.round(performance.now() - t0);
    if (req.scenario === 'backup-integrity') measuredMs = totalMs;
    const passed = failures.length === 0;
    const met = targetMs === null || measuredMs === null || !passed ? null : measuredMs <= targetMs;
    const summary = summaryLine(req.scenario, passed, measuredMs, targetMs, met, failures.length);
    const done = this.o.store.finish(row.id, { status: passed ? 'passed' : 'failed', durationMs: measuredMs, met, steps, failures, summary });
    this.o.audit.append({
      actor: req.actor, event: passed ? 'drill.passed' : 'drill.failed', target: req.scenario,
      details: { drill: row.id, durationMs: measuredMs, targetMs, met, steps: steps.map((s) => ({ name: s.name, ms: s.ms, ok: s.ok })), failures },
    });
    log.info({ passed, durationMs: measuredMs, targetMs, met }, 'drill finished');
    return done;
  }

  /**
   * Refuses when staging answers with production's cluster id and the same active node: the
   * address is production under another name (an alias, an IP). A staging restored from
   * production's snapshot reports production's cluster id too (it lives in storage), but its own
   * active node's address, so that still runs. Unknown on either side: nothing to compare.
   */
  private async stagingIsNotProduction(target: string): Promise<void> {
    const { vault, withStagingClient } = this.o.engine;
    if (!vault || !withStagingClient) return;
    const prod = await vault.health().catch(() => undefined);
    if (!prod?.clusterId) return;
    const same = await withStagingClient.call(this.o.engine, async (staging) => {
      const health = await staging.health().catch(() => undefined);
      if (health?.clusterId !== prod.clusterId) return false;
      const [p, s] = await Promise.all([vault.leader().catch(() => undefined), staging.leader().catch(() => undefined)]);
      return !(p?.leaderAddress && s?.leaderAddress && p.leaderAddress !== s.leaderAddress);
    });
    if (same) {
      throw new CoreError(
        ErrorCode.RestoreRefused,
        `The staging Vault ${target} answers as production (cluster id ${prod.clusterId}, the same active node); nothing was run against it. Point VAULT_STAGING_ADDR at a separate staging Vault.`,
      );
    }
  }

  private async restoreTest(req: DrillRequest, step: StepRecorder, purpose: RestorePurpose, target: string): Promise<number> {
    const plan = await step('resolve the latest backup', async () => {
      await this.stagingIsNotProduction(target);
      return this.o.engine.planRestore('latest', 'staging', true);
    }, (p) => p.key).catch(async (error: unknown) => {
      const reason = asCoreError(error, 'unexpected error; see the bot log').userMessage;
      await req.onRestoreFinished?.({ key: 'latest', target: 'staging', recoveryMs: 0, canary: 'skipped', dryRun: false }, { step: 'plan', reason });
      throw error;
    });
    const outcome = await step(
      'restore into staging (download, decrypt, safety snapshot, restore, canary)',
      async () => {
        const o = await this.o.engine.restore(plan, { actor: req.actor, purpose, dryRun: false });
        await req.onRestoreFinished?.(o.report, o.ok ? undefined : { step: o.step, reason: o.error.userMessage });
        if (!o.ok) throw new CoreError(o.error.code, `restoring ${plan.key} failed at ${o.step}: ${o.error.userMessage}`);
        return o;
      },
      (o) => `canary ${o.report.canary === 'ok' ? 'read back' : o.report.canary}${o.report.note ? `; ${o.report.note}` : ''}`,
    );
    return outcome.report.recoveryMs;
  }

  private async backupIntegrity(req: DrillRequest, step: StepRecorder, failures: string[]): Promise<void> {
    const entries = await step('list catalogued backups', async () => this.o.engine.catalogue.list({ limit: req.newest ?? 1_000_000 }), (e) => `${e.length} backup${e.length === 1 ? '' : 's'}`);
    const every = this.o.progressEvery ?? 10;
    const interval = this.o.progressIntervalMs ?? 30_000;
    let lastProgress = performance.now();
    let done = 0;
    for (const entry of entries) {
      try {
        await step(entry.key, async () => {
          const v = await this.o.engine.verify(entry.key);
          // The store's own metadata proves nothing alone: compare with what the catalogue recorded.
          if (v.plan.sha256 !== entry.sha256 || v.plan.size !== entry.storedBytes) {
            throw new CoreError(ErrorCode.VerifyFailed, `its stored size or sha256 (${v.plan.size} bytes, ${v.plan.sha256?.slice(0, 12) ?? 'none'}) differ from the catalogue's (${entry.storedBytes} bytes, ${entry.sha256.slice(0, 12)})`);
          }
          if (v.plainSha256 !== entry.plainSha256) throw new CoreError(ErrorCode.VerifyFailed, 'the decrypted snapshot differs from the one that was backed up');
          return v;
        }, (v) => `${v.format}, ${v.plainBytes} bytes decrypted and authenticated`);
      } catch (error) {
        failures.push(`${entry.key}: ${asCoreError(error, 'unexpected error; see the bot log').userMessage}`);
      }
      done += 1;
      if (req.onProgress && done < entries.length && (done % every === 0 || performance.now() - lastProgress >= interval)) {
        lastProgress = performance.now();
        await Promise.resolve(req.onProgress(`Checked ${done} of ${entries.length} backups; ${failures.length} failed so far.`)).catch(() => undefined);
      }
    }
  }
}

function summaryLine(scenario: DrillScenario, passed: boolean, measuredMs: number | null, targetMs: number | null, met: boolean | null, failureCount: number): string {
  const verdict = passed ? 'passed' : `failed (${failureCount} failure${failureCount === 1 ? '' : 's'})`;
  const time = measuredMs === null ? '' : ` in ${formatMs(measuredMs)}`;
  const vsTarget = targetMs === null ? '' : met === null ? ` (target ${formatMs(targetMs)}: not measured)` : ` (target ${formatMs(targetMs)}: ${met ? 'met' : 'missed'})`;
  return `Drill ${scenario} ${verdict}${time}${vsTarget}.`;
}
