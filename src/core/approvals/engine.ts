/**
 * @module approvals/engine
 * The two-person rule (DESIGN §6) as one platform-neutral class. Handlers pass ids in and render
 * the plain result objects that come out; every decision, refusal and state change is made here
 * and audited with the acting user as actor. Ordinary refusals are results, never exceptions.
 *
 * Each operation has the same shape: I/O first (directory lookup at click time), then one
 * synchronous store transaction that decides, then the audit rows, then the status facts.
 *
 * @example
 * const engine = new ApprovalEngine({ db, audit, directory, teamId: 'T0123' });
 * engine.register(restoreAction);
 * const made = await engine.request({ action: 'restore', params, requesterId: 'U1', teamId: 'T0123' });
 * const vote = await engine.approve({ requestId, userId: 'U2', teamId: 'T0123' });
 * if (vote.outcome === 'threshold_reached') await engine.execute(requestId, { actor: 'U2' });
 */
import type Database from 'better-sqlite3';
import type { AuditTrail } from '../audit/types.js';
import { type Clock, systemClock } from '../clock.js';
import { CoreError, ErrorCode } from '../errors.js';
import { decideApproval, decideCancel, decideDenial, type Decision } from './decisions.js';
import { executeRequest, interruptRunning, sortApproved, type ExecutionDeps } from './execution.js';
import { cleanReason, openRequest, randomRequestId } from './open-request.js';
import { checkParticipant } from './policy.js';
import { ActionRegistry, type RegisteredAction } from './registry.js';
import { REQUEST_STATES } from './state-machine.js';
import { toStatus } from './status.js';
import { ApprovalStore } from './store.js';
import type {
  ActionDefinition,
  ApprovalLogger,
  ApprovalStatus,
  ApproverDirectory,
  ApproveResult,
  CancelResult,
  DecisionInput,
  DenyResult,
  ExecuteResult,
  MessageRef,
  RefusalReason,
  RequestInput,
  RequestResult,
  RequestState,
} from './types.js';

export interface ApprovalEngineOptions {
  /** An open database with migrations/003_approvals.sql applied. */
  db: Database.Database;
  audit: AuditTrail;
  directory: ApproverDirectory;
  /** Our workspace; requests and clicks from any other team are refused. */
  teamId: string;
  clock?: Clock;
  logger?: ApprovalLogger;
  /** Draws request ids; defaults to `req_` and 6 random hex digits. */
  newId?: () => string;
}

/** An approval older than this at start-up is not run by itself (see recoverApproved). */
export const STALE_APPROVAL_MS = 5 * 60_000;

export class ApprovalEngine {
  readonly #store: ApprovalStore;
  readonly #registry = new ActionRegistry();
  readonly #audit: AuditTrail;
  readonly #directory: ApproverDirectory;
  readonly #teamId: string;
  readonly #clock: Clock;
  readonly #logger: ApprovalLogger | undefined;
  readonly #newId: () => string;

  constructor({ db, audit, directory, teamId, clock = systemClock, logger, newId = randomRequestId }: ApprovalEngineOptions) {
    this.#store = new ApprovalStore(db);
    this.#audit = audit;
    this.#directory = directory;
    this.#teamId = teamId;
    this.#clock = clock;
    this.#logger = logger;
    this.#newId = newId;
  }

  /** Adds an action plug-in. Throws CoreError `config_invalid` below the policy floor or on a repeat. */
  register<P extends object>(action: ActionDefinition<P>): { approvalsRequired: number; ttlMs: number } {
    const { approvalsRequired, ttlMs } = this.#registry.register(action);
    return { approvalsRequired, ttlMs };
  }

  /**
   * Opens a request with its parameters frozen. A threshold of 0 (drills, when configured) makes it
   * `approved` at once: check `status.state` and call `execute`. Throws CoreError `invalid_input`
   * for an unregistered action or parameters that are not plain JSON (handler bugs, not refusals).
   */
  async request({ action, params, requesterId, teamId, reason }: RequestInput): Promise<RequestResult> {
    const registered = this.#registered(action);
    const refusal = await this.#checkParticipant(requesterId, teamId);
    if (refusal !== undefined) {
      this.#record(requesterId, 'approval.refused', undefined, { operation: 'request', reason: refusal, action });
      return { outcome: 'refused', reason: refusal };
    }
    const row = openRequest(this.#store, { registered, params, requesterId, teamId, reason, now: this.#clock(), newId: this.#newId });
    this.#record(requesterId, 'approval.requested', row.id, {
      action,
      paramsSha256: row.paramsSha256,
      facts: row.facts,
      threshold: row.threshold,
      expiresAt: row.expiresAt,
      ...(row.reason === null ? {} : { reason: row.reason }),
    });
    if (row.state === 'approved') this.#record('system', 'approval.approved', row.id, { approvers: [], threshold: 0 });
    return { outcome: 'created', status: this.#statusOrThrow(row.id) };
  }

  /**
   * DESIGN §6: only authorised users may run any command but `help`; guests, bots, deleted users
   * and other workspaces never may. Checked against the directory for every command; a refusal is
   * audited (`command.refused`) and returned so the caller can tell the user privately.
   */
  async authorise({ userId, teamId, command }: { userId: string; teamId: string; command: string }): Promise<RefusalReason | undefined> {
    const refusal = await this.#checkParticipant(userId, teamId);
    if (refusal !== undefined) this.#record(userId, 'command.refused', undefined, { command, reason: refusal });
    return refusal;
  }

  /** Records one person's approval; the one that reaches the threshold moves the request to `approved`. */
  async approve({ requestId, userId, teamId }: DecisionInput): Promise<ApproveResult> {
    const early = await this.#screen('approve', requestId, userId, teamId);
    if (early !== undefined) return early;
    const now = this.#clock().toISOString();
    const decision = this.#store.transaction(() => decideApproval(this.#store, { requestId, userId, now }));
    return this.#finishDecision('approve', requestId, userId, decision, {
      recorded: 'approval.vote_recorded',
      already_recorded: 'approval.vote_repeated',
      threshold_reached: 'approval.vote_recorded',
    });
  }

  /**
   * Any authorised user may deny a pending request. The requester pressing Deny cancels instead
   * (DESIGN: "the requester may cancel"), so their own button still stops it.
   */
  async deny({ requestId, userId, teamId, reason }: DecisionInput & { reason?: string }): Promise<DenyResult> {
    if (this.#store.get(requestId)?.requester === userId && teamId === this.#teamId) {
      const cancelled = await this.cancel({ requestId, userId });
      if (cancelled.outcome === 'refused') return cancelled;
      return { outcome: 'cancelled', status: cancelled.status };
    }
    const early = await this.#screen('deny', requestId, userId, teamId);
    if (early !== undefined) return early;
    const now = this.#clock().toISOString();
    const decision = this.#store.transaction(() => decideDenial(this.#store, { requestId, userId, now }));
    const cleaned = cleanReason(reason);
    const note = cleaned === null ? {} : { reason: cleaned };
    return this.#finishDecision('deny', requestId, userId, decision, { denied: 'approval.denied', already_recorded: 'approval.deny_repeated' }, note);
  }

  /** Only the requester may cancel, and only while the request is pending. */
  async cancel({ requestId, userId }: { requestId: string; userId: string }): Promise<CancelResult> {
    const now = this.#clock().toISOString();
    const decision = this.#store.transaction(() => decideCancel(this.#store, { requestId, userId, now }));
    return this.#finishDecision('cancel', requestId, userId, decision, {
      cancelled: 'approval.cancelled',
      already_cancelled: 'approval.cancel_repeated',
    });
  }

  /** Moves every pending request past its expiry to `expired` and returns them, for message updates. */
  expireDue(): ApprovalStatus[] {
    const now = this.#clock().toISOString();
    const expired: ApprovalStatus[] = [];
    for (const id of this.#store.dueForExpiry(now)) {
      if (!this.#store.transition(id, 'pending', 'expired', now)) continue; // someone else decided first
      this.#record('system', 'approval.expired', id);
      expired.push(this.#statusOrThrow(id));
    }
    return expired;
  }

  /**
   * Claims an approved request and runs it once. Safe to call any number of times from any number
   * of processes; only one caller runs the action, the rest get `already_claimed`.
   */
  execute(requestId: string, { actor = 'system' }: { actor?: string } = {}): Promise<ExecuteResult> {
    return executeRequest(this.#executionDeps(), requestId, actor);
  }

  /** Approve, and when that approval reaches the threshold, run the action in the same call. */
  async approveAndRun(input: DecisionInput): Promise<{ approval: ApproveResult; execution?: ExecuteResult }> {
    const approval = await this.approve(input);
    if (approval.outcome !== 'threshold_reached') return { approval };
    return { approval, execution: await this.execute(input.requestId, { actor: input.userId }) };
  }

  /** Call once at start-up, before anything executes: requests left `executing` become `interrupted`. */
  recoverInterrupted(): ApprovalStatus[] {
    return interruptRunning(this.#executionDeps());
  }

  /**
   * At start-up, after `recoverInterrupted`: approved requests that never started. Those approved
   * within `maxAgeMs` (default 5 minutes: "just before a restart") come back in `resume` for the
   * caller to `execute`; older ones become `interrupted` and come back in `stale`.
   */
  recoverApproved({ maxAgeMs = STALE_APPROVAL_MS }: { maxAgeMs?: number } = {}): { resume: ApprovalStatus[]; stale: ApprovalStatus[] } {
    return sortApproved(this.#executionDeps(), maxAgeMs);
  }

  status(requestId: string): ApprovalStatus | undefined {
    const row = this.#store.get(requestId);
    return row === undefined ? undefined : toStatus(row, this.#store.votes(requestId));
  }

  /** Newest first; defaults to requests still waiting or running, for `/vault approvals`. */
  list({ states = ['pending', 'approved', 'executing'], limit = 50 }: { states?: RequestState[]; limit?: number } = {}): ApprovalStatus[] {
    const wanted = states.filter((s) => REQUEST_STATES.includes(s));
    return this.#store.inStates(wanted, limit).map((row) => toStatus(row, this.#store.votes(row.id)));
  }

  /** Remembers where the request's chat message is, so it can be updated after a restart. */
  attachMessage(requestId: string, ref: MessageRef): boolean {
    return this.#store.setMessageRef(requestId, ref);
  }

  messageRef(requestId: string): MessageRef | undefined {
    return this.#store.get(requestId)?.messageRef ?? undefined;
  }

  /** Refusals settled before the transaction: unknown request, self-approval, workspace, directory. */
  async #screen(operation: 'approve' | 'deny', requestId: string, userId: string, teamId: string) {
    const row = this.#store.get(requestId);
    let reason: RefusalReason | undefined;
    if (row === undefined) reason = 'not_found';
    else if (operation === 'approve' && row.requester === userId) reason = 'self_approval';
    else reason = await this.#checkParticipant(userId, teamId);
    if (reason === undefined) return undefined;
    this.#record(userId, 'approval.refused', requestId, { operation, reason });
    const status = this.status(requestId);
    return { outcome: 'refused' as const, reason, ...(status === undefined ? {} : { status }) };
  }

  #finishDecision<O extends string>(
    operation: string,
    requestId: string,
    userId: string,
    decision: Decision<O>,
    events: Record<O, string>,
    details: Record<string, unknown> = {},
  ) {
    if (decision.expiredNow) this.#record('system', 'approval.expired', requestId);
    const status = this.status(requestId);
    if (decision.outcome === 'refused' || status === undefined) {
      const reason = decision.reason ?? 'not_found';
      this.#record(userId, 'approval.refused', requestId, { operation, reason, ...(status ? { state: status.state } : {}) });
      return { outcome: 'refused' as const, reason, ...(status === undefined ? {} : { status }) };
    }
    const outcome = decision.outcome as O;
    this.#record(userId, events[outcome], requestId, { ...details, approvals: status.approvals, required: status.required });
    if (outcome === 'threshold_reached') {
      this.#record(userId, 'approval.approved', requestId, { approvers: status.approvers, threshold: status.required });
    }
    return { outcome, status };
  }

  async #checkParticipant(userId: string, teamId: string, fresh = false): Promise<RefusalReason | undefined> {
    return checkParticipant(
      this.#directory,
      userId,
      teamId,
      this.#teamId,
      (error) => this.#logger?.warn({ userId, err: error }, 'approver directory lookup failed'),
      { fresh },
    );
  }

  #registered(action: string): RegisteredAction {
    const registered = this.#registry.get(action);
    if (registered === undefined) {
      throw new CoreError(ErrorCode.InvalidInput, `Unknown action "${action}"; register it with the approval engine first.`);
    }
    return registered;
  }

  #record(actor: string, event: string, target?: string, details?: Record<string, unknown>): void {
    this.#audit.append({ actor, event, ...(target === undefined ? {} : { target }), ...(details === undefined ? {} : { details }) });
  }

  #executionDeps(): ExecutionDeps {
    return {
      store: this.#store,
      registry: this.#registry,
      clock: this.#clock,
      logger: this.#logger,
      record: (actor, event, requestId, details) => this.#record(actor, event, requestId, details),
      statusOf: (id) => this.status(id),
      recheck: (userId) => this.#checkParticipant(userId, this.#teamId, true),
    };
  }

  #statusOrThrow(id: string): ApprovalStatus {
    const status = this.status(id);
    if (status === undefined) throw new Error(`approvals: request ${id} vanished`);
    return status;
  }
}
