/**
 * @module approvals/open-request
 * Stores a new request: parameters frozen, facts taken from the action's `describe`, threshold
 * and expiry fixed from the registration at this moment (a later configuration change does not
 * move the goalposts of a request already shown to people).
 */
import { randomBytes } from 'node:crypto';
import { CoreError, ErrorCode } from '../errors.js';
import { freezeParams, thawParams } from './frozen-params.js';
import type { RegisteredAction } from './registry.js';
import type { ApprovalStore, NewRequestRow } from './store.js';

/** User-typed reasons are kept, trimmed and capped; the renderer escapes them. */
export const REASON_MAX = 500;

export interface OpenRequestInput {
  registered: RegisteredAction;
  params: object;
  requesterId: string;
  teamId: string;
  reason: string | undefined;
  now: Date;
  newId: () => string;
}

/** Throws CoreError `invalid_input` when the parameters are not plain JSON. */
export function openRequest(store: ApprovalStore, input: OpenRequestInput): NewRequestRow {
  const { registered, requesterId, teamId, now } = input;
  const frozen = freezeParams(input.params);
  const approvedAtOnce = registered.approvalsRequired === 0;
  const row: Omit<NewRequestRow, 'id'> = {
    action: registered.definition.name,
    paramsJson: frozen.json,
    paramsSha256: frozen.sha256,
    // Described from the frozen copy, so the facts shown are the facts of what will run.
    facts: registered.definition.describe(thawParams(frozen.json)),
    requester: requesterId,
    teamId,
    reason: cleanReason(input.reason),
    state: approvedAtOnce ? 'approved' : 'pending',
    threshold: registered.approvalsRequired,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + registered.ttlMs).toISOString(),
    decidedAt: approvedAtOnce ? now.toISOString() : null,
  };
  // 16.7 million ids: a clash is rare and the primary key catches it, so draw again.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const withId = { ...row, id: input.newId() };
    if (store.insertRequest(withId)) return withId;
  }
  throw new CoreError(ErrorCode.Internal, 'Could not allocate a request id; try the request again.');
}

export function cleanReason(reason: string | undefined): string | null {
  const trimmed = reason?.trim() ?? '';
  return trimmed === '' ? null : trimmed.slice(0, REASON_MAX);
}

/** `req_` and 6 random hex digits: short enough to type in `/vault approvals`. */
export function randomRequestId(): string {
  return `req_${randomBytes(3).toString('hex')}`;
}
