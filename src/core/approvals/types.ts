/**
 * @module approvals/types
 * The approval engine's public shapes: action plug-ins, the approver directory it asks at click
 * time, the platform-neutral status facts it returns, and one result type per operation.
 * Nothing here knows about Slack: user, team, channel and message ids are opaque strings.
 */

/** Every state a request can be in. See `state-machine.ts` for the allowed moves. */
export type RequestState =
  | 'pending'
  | 'approved'
  | 'executing'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'cancelled'
  | 'expired'
  | 'interrupted';

/** The actions DESIGN §6 names; any other lower-case name may be registered as a future action. */
export type KnownActionName = 'restore' | 'seal' | 'rotate' | 'drill';
export type ActionName = KnownActionName | (string & {});

/** One label/value line shown with a request, e.g. `{ label: 'sha256', value: '3f9a0c12d4e5' }`. */
export interface ParamFact {
  label: string;
  value: string;
  /** Something approvers must not miss (e.g. a backup from another cluster): shown prominently. */
  warning?: boolean;
}

/** A pino-compatible logger; only what the engine uses. */
export interface ApprovalLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): ApprovalLogger;
}

/** What an action's `execute` receives besides its frozen parameters. */
export interface ExecutionContext {
  requestId: string;
  action: ActionName;
  /** The user whose decision released the run, or `system`. */
  actor: string;
  /** Who asked for it, and who approved it (in order), for the action's own audit rows. */
  requester: string;
  approvers: string[];
  /** Carries request id and action on every line when the engine was given a logger. */
  logger?: ApprovalLogger;
}

/** What a successful run reports. A failed run throws (ideally a CoreError). */
export interface ExecutionResult {
  /** One plain sentence for people, e.g. `Restored daily/2025-11-26/… in 41 s`. Never secrets. */
  summary: string;
  facts?: ParamFact[];
  /** The facts already state the time this run measured itself; the result line adds no second duration. */
  timed?: boolean;
}

/**
 * An action plug-in. `P` is the parameter shape; it must be plain JSON (strings, finite numbers,
 * booleans, null, arrays, plain objects) because it is frozen as JSON text at request time.
 */
export interface ActionDefinition<P extends object = Record<string, unknown>> {
  name: ActionName;
  /** Approvals from people other than the requester. Defaults and floors: DESIGN §6 (`policy.ts`). */
  approvalsRequired?: number;
  /** How long the request may gather approvals. Defaults: 30 min, seal 15 min. */
  ttlMs?: number;
  /** The facts people approve; called once, at request time, and stored with the request. */
  describe(params: Readonly<P>): ParamFact[];
  /** Runs exactly once, with exactly the parameters frozen at request time. */
  execute(params: Readonly<P>, ctx: ExecutionContext): Promise<ExecutionResult>;
}

/** What the directory knows about one user, looked up when they click. */
export interface DirectoryEntry {
  /** Listed in SLACK_APPROVERS or a member of SLACK_APPROVER_GROUP. */
  authorised: boolean;
  deleted: boolean;
  isBot: boolean;
  isRestricted: boolean;
  isUltraRestricted: boolean;
  teamId?: string;
}

/** Injected: the bot implements it with users.info plus the approver list/group. */
export interface ApproverDirectory {
  /**
   * `undefined` when the user is unknown. May reject when the directory is unreachable.
   * `fresh`: at execution time (DESIGN §6 re-check) nothing cached may be used, e.g. group lists.
   */
  lookup(userId: string, options?: { fresh?: boolean }): Promise<DirectoryEntry | undefined>;
}

/** Where the request's chat message lives (Slack: channel id and ts). Opaque to the core. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** A vote (or the requester) found not to qualify any more when the action was about to run. */
export interface DroppedVote {
  userId: string;
  role: 'requester' | 'approver';
  reason: RefusalReason;
}

/** How a run ended, as stored in `result_json`. Messages are safe to show. */
export type RunResult =
  | { ok: true; summary: string; facts: ParamFact[]; durationMs: number; timed?: boolean }
  | { ok: false; code: string; message: string; durationMs: number; dropped?: DroppedVote[] };

/** Everything a renderer needs to show a request. Plain facts, no markup. */
export interface ApprovalStatus {
  id: string;
  action: ActionName;
  state: RequestState;
  /** Short plain headline for the state, e.g. `Waiting for approvals`. */
  headline: string;
  requester: string;
  teamId: string;
  reason: string | null;
  /** User ids that approved, in the order they did. */
  approvers: string[];
  approvals: number;
  required: number;
  /** `1 of 2 approvals`; `no approvals needed` when the threshold is 0. */
  summary: string;
  /** Who denied, when denied. */
  deniedBy: string | null;
  facts: ParamFact[];
  paramsSha256: string;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  executedAt: string | null;
  finishedAt: string | null;
  result: RunResult | null;
  messageRef: MessageRef | null;
}

/** Why an operation did nothing. `refusal-messages.ts` has one sentence for each. */
export type RefusalReason =
  | 'self_approval'
  | 'not_authorised'
  | 'guest'
  | 'bot'
  | 'deleted'
  | 'other_workspace'
  | 'expired'
  | 'already_decided'
  | 'not_found'
  | 'not_requester'
  | 'not_approved'
  | 'unknown_action'
  | 'directory_unavailable';

export interface Refused {
  outcome: 'refused';
  reason: RefusalReason;
  /** The request as it stands, when it exists (so the bot can refresh a stale message). */
  status?: ApprovalStatus;
}

export type RequestResult = { outcome: 'created'; status: ApprovalStatus } | Refused;
export type ApproveResult =
  | { outcome: 'recorded' | 'already_recorded' | 'threshold_reached'; status: ApprovalStatus }
  | Refused;
/** `cancelled`: the requester pressed Deny on their own request, which cancels it. */
export type DenyResult = { outcome: 'denied' | 'already_recorded' | 'cancelled'; status: ApprovalStatus } | Refused;
export type CancelResult = { outcome: 'cancelled' | 'already_cancelled'; status: ApprovalStatus } | Refused;
export type ExecuteResult =
  | { outcome: 'succeeded' | 'failed' | 'already_claimed'; status: ApprovalStatus }
  | Refused;

export interface RequestInput {
  action: ActionName;
  params: object;
  requesterId: string;
  teamId: string;
  reason?: string;
}

export interface DecisionInput {
  requestId: string;
  userId: string;
  teamId: string;
}
