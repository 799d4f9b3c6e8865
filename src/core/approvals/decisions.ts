/**
 * @module approvals/decisions
 * The deciding code: what a vote, denial or cancellation does to a request. Each function runs
 * inside one store transaction, touches only the database, and never awaits, so it decides on a
 * consistent view and is safe to repeat (a repeat finds its own earlier row and says so).
 * Who the clicker is (directory, workspace) was settled before; auditing happens after commit.
 */
import type { ApprovalStore, RequestRow } from './store.js';
import type { RefusalReason } from './types.js';

export interface Decision<O extends string> {
  outcome: O | 'refused';
  reason?: RefusalReason;
  /** True when this call moved a pending request past its expiry to `expired`. */
  expiredNow: boolean;
}

interface VoteInput {
  requestId: string;
  userId: string;
  now: string;
}

/** A pending request past its time expires on first touch, so a late click never counts. */
function expireIfDue(store: ApprovalStore, row: RequestRow, now: string): boolean {
  return row.state === 'pending' && row.expiresAt <= now && store.transition(row.id, 'pending', 'expired', now);
}

/** Why a request that is not (or no longer) pending refuses a decision. */
function closedReason(row: RequestRow, expiredNow: boolean): RefusalReason {
  return expiredNow || row.state === 'expired' ? 'expired' : 'already_decided';
}

export function decideApproval(
  store: ApprovalStore,
  { requestId, userId, now }: VoteInput,
): Decision<'recorded' | 'already_recorded' | 'threshold_reached'> {
  const row = store.get(requestId);
  if (row === undefined) return { outcome: 'refused', reason: 'not_found', expiredNow: false };
  if (row.requester === userId) return { outcome: 'refused', reason: 'self_approval', expiredNow: false };
  // A repeated click (double click, Slack retry, restart) meets its own vote, whatever the state now.
  const earlier = store.voteOf(requestId, userId);
  if (earlier?.decision === 'approve') return { outcome: 'already_recorded', expiredNow: false };
  const expiredNow = expireIfDue(store, row, now);
  if (expiredNow || row.state !== 'pending') {
    return { outcome: 'refused', reason: closedReason(row, expiredNow), expiredNow };
  }
  store.addApproval(requestId, userId, now);
  if (store.countApprovals(requestId) < row.threshold) return { outcome: 'recorded', expiredNow };
  // Same transaction as the vote: the approval that reaches the threshold is the one that approves.
  const approved = store.transition(requestId, 'pending', 'approved', now);
  return { outcome: approved ? 'threshold_reached' : 'recorded', expiredNow };
}

export function decideDenial(
  store: ApprovalStore,
  { requestId, userId, now }: VoteInput,
): Decision<'denied' | 'already_recorded'> {
  const row = store.get(requestId);
  if (row === undefined) return { outcome: 'refused', reason: 'not_found', expiredNow: false };
  if (store.voteOf(requestId, userId)?.decision === 'deny') return { outcome: 'already_recorded', expiredNow: false };
  const expiredNow = expireIfDue(store, row, now);
  if (expiredNow || row.state !== 'pending') {
    return { outcome: 'refused', reason: closedReason(row, expiredNow), expiredNow };
  }
  store.addDenial(requestId, userId, now);
  store.transition(requestId, 'pending', 'denied', now);
  return { outcome: 'denied', expiredNow };
}

export function decideCancel(
  store: ApprovalStore,
  { requestId, userId, now }: VoteInput,
): Decision<'cancelled' | 'already_cancelled'> {
  const row = store.get(requestId);
  if (row === undefined) return { outcome: 'refused', reason: 'not_found', expiredNow: false };
  if (row.requester !== userId) return { outcome: 'refused', reason: 'not_requester', expiredNow: false };
  if (row.state === 'cancelled') return { outcome: 'already_cancelled', expiredNow: false };
  const expiredNow = expireIfDue(store, row, now);
  if (expiredNow || row.state !== 'pending') {
    return { outcome: 'refused', reason: closedReason(row, expiredNow), expiredNow };
  }
  store.transition(requestId, 'pending', 'cancelled', now);
  return { outcome: 'cancelled', expiredNow };
}
