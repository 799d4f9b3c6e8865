/**
 * @module actions/recover-action
 * The `recover` action for the approval engine (DESIGN §6, §12): two other people approve the
 * frozen backup, path and production versions; the run restores the backup into staging and
 * writes each secret back to production as a new version. The thread lists every path with its
 * old and new version, what was skipped and why, and the time it took — never a value.
 */
import type { ActionDefinition, ExecutionResult, ParamFact } from '../approvals/types.js';
import { describeRecovery, executeRecovery, type RecoverDeps, type RecoverParams, type RecoveryReport } from '../recover/index.js';
import { formatDuration } from './format-duration.js';

export const RECOVER_APPROVALS = 2;
export const RECOVER_TTL_MS = 30 * 60_000;
/** Lines per list in the thread; the audit log keeps every path. */
const MAX_LINES = 25;

/** Called when a recovery finished (e.g. a PagerDuty change event); failures of the hook are the hook's. */
export type RecoveryHook = (report: RecoveryReport, requester: string) => Promise<void> | void;

/** @example approvals.register(recoverAction({ production, stagingAddress, restore, sourceAt, audit })); */
export function recoverAction(deps: RecoverDeps, onFinished?: RecoveryHook): ActionDefinition<RecoverParams> {
  return {
    name: 'recover',
    approvalsRequired: RECOVER_APPROVALS,
    ttlMs: RECOVER_TTL_MS,
    describe: (p) => describeRecovery(p),
    async execute(p, ctx) {
      const report = await executeRecovery(deps, p, ctx.requester);
      await Promise.resolve(onFinished?.(report, ctx.requester)).catch((error: unknown) => ctx.logger?.warn({ err: error }, 'recovery hook failed'));
      return recoveryResult(report);
    },
  };
}

export function recoveryResult(r: RecoveryReport): ExecutionResult {
  const written = r.outcomes.filter((o) => o.status === 'written');
  const skipped = r.outcomes.filter((o) => o.status === 'skipped');
  const mount = r.target.slice(0, r.target.indexOf('/') + 1);
  const facts: ParamFact[] = [
    { label: 'Written', value: written.length ? lines(written.map((o) => `${mount}${o.path}: version ${o.from} → ${o.to}`)) : 'nothing' },
    { label: 'Skipped', value: skipped.length ? lines(skipped.map((o) => `${mount}${o.path}: ${o.reason}`)) : 'nothing' },
    { label: 'Took', value: `${formatDuration(r.totalMs)} (staging restore ${formatDuration(r.restoreMs)})` },
    { label: 'Safety snapshot of staging', value: r.safetySnapshotKey ?? 'none' },
    ...(r.note ? [{ label: 'Note', value: r.note }] : []),
  ];
  const n = r.outcomes.length;
  const summary = `Recovered ${written.length} of ${n} secret${n === 1 ? '' : 's'} at ${r.target} from ${r.key}` +
    (skipped.length ? `; ${skipped.length} skipped.` : '.');
  return { summary, facts, timed: true };
}

function lines(items: string[]): string {
  const shown = items.slice(0, MAX_LINES);
  if (items.length > MAX_LINES) shown.push(`…and ${items.length - MAX_LINES} more (every path is in the audit log)`);
  return shown.join('\n');
}
