/**
 * @module actions/restore-action
 * The `restore` action for the approval engine: a restore plan (object key, size, sha256, target)
 * frozen when the request is made, run exactly as approved once two other people agree.
 *
 * Fail-safe lives in the backup engine: `restore()` re-reads the object and compares its size and
 * sha256 with the plan before anything touches Vault, so a changed or vanished object stops here.
 */
import type { ActionDefinition, ExecutionResult, ParamFact } from '../approvals/types.js';
import type { RestoreOutcome } from '../restore/execute-restore.js';
import { describePlan, type RestorePlan } from '../restore/restore-plan.js';
import { formatDuration } from './format-duration.js';
import { sealedTargetFailure } from './restore-target.js';
import { changeEvents } from '../pagerduty/change-events.js';
import { RecoveryEstimates, type RecoveryEstimate } from '../drills/recovery-estimate.js';

/**
 * What a restore request freezes: the exact plan (object key, size, sha256, target) shown to
 * approvers, and the recovery time it was expected to take (shown, then recorded with the actual).
 */
export type RestoreParams = RestorePlan & { estimate?: RecoveryEstimate };

/** Where the estimate shown and the time taken are recorded (`RecoveryEstimates`). */
export interface EstimateRecorder {
  record(r: { requestId?: string; key: string; sizeBytes: number; estimate: RecoveryEstimate; actualMs: number | null }): void;
}

/** The one engine call this action needs; `BackupEngine` satisfies it. */
export interface RestoreRunner {
  restore(plan: RestorePlan, opts: { actor: string; purpose: 'restore'; dryRun: boolean; onProgress?: (line: string) => unknown; progressIntervalMs?: number }): Promise<RestoreOutcome>;
}

/** Where a running restore's progress lines go (the bot: the request's thread), and how often at most (default 5 s). */
export interface RestoreProgress {
  lineFor: (requestId: string) => (line: string) => Promise<void>;
  intervalMs?: number;
}

/** The plan facts approvers must not miss: another cluster's backup, checksums not from the catalogue. */
const WARN_LABELS = new Set(['Source cluster', 'Catalogue']);

export const RESTORE_APPROVALS = 2;
export const RESTORE_TTL_MS = 30 * 60_000;

/**
 * @example
 * approvals.register(restoreAction(backupEngine));
 * await approvals.request({ action: 'restore', params: plan, requesterId: 'U1', teamId });
 */
export function restoreAction(runner: RestoreRunner, estimates?: EstimateRecorder, progress?: RestoreProgress): ActionDefinition<RestoreParams> {
  return {
    name: 'restore',
    approvalsRequired: RESTORE_APPROVALS,
    ttlMs: RESTORE_TTL_MS,
    // A backup from another cluster, or one this bot never catalogued, is flagged for approvers (issue 7 item 12).
    describe: (plan) => [...describePlan(plan).map((f) => (WARN_LABELS.has(f.label) ? { ...f, warning: true } : f)), ...(plan.estimate ? [{ label: 'Expected recovery time', value: RecoveryEstimates.describe(plan.estimate) }] : [])],
    async execute(params, ctx) {
      const { estimate, ...plan } = params;
      // Audited as the requester's restore; the approvers are on the approval rows.
      // A long download reports in the request's thread (issue 11 item 4); the lines never hold the restore up.
      const onProgress = progress?.lineFor(ctx.requestId);
      const outcome = await runner.restore(plan, {
        actor: ctx.requester, purpose: 'restore', dryRun: false,
        ...(onProgress ? { onProgress, ...(progress?.intervalMs !== undefined ? { progressIntervalMs: progress.intervalMs } : {}) } : {}),
      });
      if (estimate) estimates?.record({ requestId: ctx.requestId, key: plan.key, sizeBytes: plan.size, estimate, actualMs: outcome.ok ? outcome.report.recoveryMs : null });
      // A failed restore is a failed run: the engine records the CoreError's user message, never its cause.
      if (!outcome.ok) throw sealedTargetFailure(outcome.error, outcome.step, plan.target === 'prod' ? 'production' : 'staging', plan.address);
      // A responder paged later sees this on the service's timeline (PagerDuty change event, when configured).
      changeEvents.record({
        summary: `Restored ${plan.key} into ${plan.target === 'prod' ? 'production' : 'staging'} (requested by ${ctx.requester}, approved by ${ctx.approvers.join(' and ')})`,
        custom_details: { kind: 'restore', key: plan.key, target: plan.target, request: ctx.requestId, recoveryMs: outcome.report.recoveryMs, canary: outcome.report.canary },
      });
      return restoreResult(plan, outcome.report);
    },
  };
}

function restoreResult(plan: RestorePlan, report: Extract<RestoreOutcome, { ok: true }>['report']): ExecutionResult {
  const target = plan.target === 'prod' ? 'production' : 'staging';
  const facts: ParamFact[] = [
    { label: 'Recovery time', value: formatDuration(report.recoveryMs) },
    { label: 'Safety snapshot', value: report.safetySnapshotKey ?? 'none' },
    { label: 'Canary', value: canaryText(report.canary, report.canaryDetail) },
    ...(report.note ? [{ label: 'Note', value: report.note }] : []),
  ];
  return { summary: `Restored ${plan.key} into ${target}.`, facts, timed: true };
}

function canaryText(canary: 'ok' | 'skipped' | 'failed', detail: string | undefined): string {
  if (canary === 'ok') return 'read back ok';
  if (canary === 'skipped') return 'not checked';
  return detail ? `failed: ${detail}` : 'failed';
}
