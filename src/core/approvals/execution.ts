/**
 * @module approvals/execution
 * Running an approved request exactly once. One conditional UPDATE `approved → executing` is the
 * claim: however many callers race (double clicks, Slack retries, a second process), exactly one
 * sees a changed row and runs the action; the rest get `already_claimed`. The action runs outside
 * any transaction with the parameters frozen at request time, and the end is recorded with
 * another conditional UPDATE from `executing`.
 */
import { asCoreError } from '../errors.js';
import type { Clock } from '../clock.js';
import { sha256Hex, thawParams } from './frozen-params.js';
import type { ActionRegistry } from './registry.js';
import type { ApprovalStore } from './store.js';
import type { ApprovalLogger, ApprovalStatus, ExecuteResult, RefusalReason, RunResult } from './types.js';
import { recheckVotes } from './recheck.js';

export interface ExecutionDeps {
  store: ApprovalStore;
  registry: ActionRegistry;
  clock: Clock;
  logger: ApprovalLogger | undefined;
  record(actor: string, event: string, requestId: string, details?: Record<string, unknown>): void;
  statusOf(requestId: string): ApprovalStatus | undefined;
  /**
   * Asks the directory again, at the moment of execution, whether a user may still take part
   * (DESIGN §6): `undefined` when they qualify, else why not. Without it nobody is re-checked.
   */
  recheck?(userId: string): Promise<RefusalReason | undefined>;
}

const TAMPERED_MESSAGE =
  'The stored parameters no longer match what was approved, so nothing was run; request the action again.';
const INTERRUPTED_MESSAGE =
  'The bot restarted while this was running, so its outcome is unknown and it was not re-run; check the target, then request again if needed.';

export async function executeRequest(deps: ExecutionDeps, requestId: string, actor: string): Promise<ExecuteResult> {
  const { store, registry, clock, record } = deps;
  const row = store.get(requestId);
  if (row === undefined) {
    record(actor, 'approval.refused', requestId, { operation: 'execute', reason: 'not_found' });
    return { outcome: 'refused', reason: 'not_found' };
  }
  const action = registry.get(row.action);
  if (action === undefined) {
    // Not claimed: once the action is registered again (e.g. after a configuration fix) it can still run.
    record(actor, 'approval.refused', requestId, { operation: 'execute', reason: 'unknown_action', action: row.action });
    return { outcome: 'refused', reason: 'unknown_action', status: statusOrThrow(deps, requestId) };
  }

  const startedAt = clock();
  if (!store.transition(requestId, 'approved', 'executing', startedAt.toISOString())) {
    const state = store.get(requestId)?.state;
    const claimed = state === 'executing' || state === 'succeeded' || state === 'failed' || state === 'interrupted';
    const reason = claimed ? 'already_claimed' : 'not_approved';
    record(actor, 'approval.execute_refused', requestId, { reason, state });
    const status = statusOrThrow(deps, requestId);
    return claimed ? { outcome: 'already_claimed', status } : { outcome: 'refused', reason: 'not_approved', status };
  }
  record(actor, 'approval.executing', requestId, { action: row.action, paramsSha256: row.paramsSha256 });
  const logger = deps.logger?.child?.({ requestId, action: row.action }) ?? deps.logger;

  let result: RunResult;
  const voters = store.votes(requestId).filter((v) => v.decision === 'approve').map((v) => v.userId);
  const recheck = deps.recheck ? await recheckVotes(deps.recheck, row.requester, voters, row.threshold) : undefined;
  if (recheck !== undefined && recheck.dropped.length > 0) {
    record('system', 'approval.votes_rechecked', requestId, { dropped: recheck.dropped, counted: recheck.counted.length, required: row.threshold });
  }
  if (sha256Hex(row.paramsJson) !== row.paramsSha256) {
    // Fail safe and final: what would run is not what people approved.
    result = { ok: false, code: 'params_changed', message: TAMPERED_MESSAGE, durationMs: 0 };
    logger?.error({ requestId }, 'approval parameters do not match their frozen hash; not run');
  } else if (recheck?.refusal !== undefined) {
    // Someone no longer qualifies and without them the rule is not met: not run, and said why.
    result = { ok: false, code: 'approvals_withdrawn', message: recheck.refusal, durationMs: 0, dropped: recheck.dropped };
    logger?.warn({ requestId, dropped: recheck.dropped }, 'not run: a vote or the requester no longer qualifies at execution');
  } else {
    try {
      const outcome = await action.definition.execute(thawParams(row.paramsJson), {
        requestId,
        action: row.action,
        actor,
        requester: row.requester,
        approvers: recheck?.counted ?? voters,
        ...(logger === undefined ? {} : { logger }),
      });
      result = { ok: true, summary: outcome.summary, facts: outcome.facts ?? [], durationMs: elapsed(clock, startedAt), ...(outcome.timed ? { timed: true } : {}) };
    } catch (error) {
      const coreError = asCoreError(error);
      // People see only the user message; the full error (and its cause) goes to the debug log.
      logger?.error({ requestId, code: coreError.code }, `approved ${row.action} failed: ${coreError.userMessage}`);
      logger?.debug({ requestId, err: error }, 'approved action error detail');
      result = { ok: false, code: coreError.code, message: coreError.userMessage, durationMs: elapsed(clock, startedAt) };
    }
  }

  const final = result.ok ? 'succeeded' : 'failed';
  const recorded = store.transition(requestId, 'executing', final, clock().toISOString(), result);
  record(actor, `approval.${final}`, requestId, {
    durationMs: result.durationMs,
    ...(result.ok ? { summary: result.summary } : { code: result.code, message: result.message }),
    // Only when someone marked the run interrupted while it was still going (a second process starting).
    ...(recorded ? {} : { note: 'state changed while running; outcome kept in the audit log only' }),
  });
  return { outcome: final, status: statusOrThrow(deps, requestId) };
}

/**
 * At start-up nothing can still be running, so every request found `executing` was cut off by a
 * crash or restart. Each becomes `interrupted` and is reported; none is re-run automatically,
 * because half of a restore or rotation may already have happened.
 */
export function interruptRunning(deps: ExecutionDeps): ApprovalStatus[] {
  const now = deps.clock().toISOString();
  const interrupted: ApprovalStatus[] = [];
  for (const row of deps.store.inStates(['executing'], Number.MAX_SAFE_INTEGER)) {
    const result: RunResult = { ok: false, code: 'interrupted', message: INTERRUPTED_MESSAGE, durationMs: 0 };
    if (!deps.store.transition(row.id, 'executing', 'interrupted', now, result)) continue;
    deps.record('system', 'approval.interrupted', row.id, { action: row.action, executedAt: row.executedAt });
    interrupted.push(statusOrThrow(deps, row.id));
  }
  return interrupted;
}

const STALE_MESSAGE =
  'The bot stopped after this was approved and before it started; too much time has passed to run it now, so it was not run. Request it again.';

/**
 * At start-up: requests approved but never claimed (the process stopped between the last approval
 * and the claim). Approvals younger than `maxAgeMs` are returned to be run now, as their approvers
 * asked; older ones become `interrupted` — nobody should find Vault sealed or restored days after a
 * click, with no chance to cancel.
 */
export function sortApproved(deps: ExecutionDeps, maxAgeMs: number): { resume: ApprovalStatus[]; stale: ApprovalStatus[] } {
  const now = deps.clock();
  const out = { resume: [] as ApprovalStatus[], stale: [] as ApprovalStatus[] };
  for (const row of deps.store.inStates(['approved'], Number.MAX_SAFE_INTEGER)) {
    const approvedAt = Date.parse(row.decidedAt ?? row.createdAt);
    if (now.getTime() - approvedAt <= maxAgeMs) {
      out.resume.push(statusOrThrow(deps, row.id));
      continue;
    }
    const result: RunResult = { ok: false, code: 'stale_approval', message: STALE_MESSAGE, durationMs: 0 };
    if (!deps.store.transition(row.id, 'approved', 'interrupted', now.toISOString(), result)) continue;
    deps.record('system', 'approval.interrupted', row.id, { action: row.action, approvedAt: row.decidedAt, reason: 'stale_approval' });
    out.stale.push(statusOrThrow(deps, row.id));
  }
  return out;
}

function elapsed(clock: Clock, since: Date): number {
  return Math.max(0, clock().getTime() - since.getTime());
}

function statusOrThrow(deps: ExecutionDeps, requestId: string): ApprovalStatus {
  const status = deps.statusOf(requestId);
  // Requests are never deleted, so a row read a moment ago is still there.
  if (status === undefined) throw new Error(`approvals: request ${requestId} vanished`);
  return status;
}
