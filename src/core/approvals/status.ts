/**
 * @module approvals/status
 * Turns a stored request and its votes into the platform-neutral facts a renderer needs.
 */
import { approvalsSummary, headlineFor } from './messages.js';
import type { RequestRow, VoteRow } from './store.js';
import type { ApprovalStatus } from './types.js';

export function toStatus(row: RequestRow, votes: readonly VoteRow[]): ApprovalStatus {
  const approvers = votes.filter((v) => v.decision === 'approve').map((v) => v.userId);
  const deniedBy = row.state === 'denied' ? (votes.find((v) => v.decision === 'deny')?.userId ?? null) : null;
  return {
    id: row.id,
    action: row.action,
    state: row.state,
    headline: headlineFor(row.state),
    requester: row.requester,
    teamId: row.teamId,
    reason: row.reason,
    approvers,
    approvals: approvers.length,
    required: row.threshold,
    summary: approvalsSummary(approvers.length, row.threshold),
    deniedBy,
    facts: row.facts,
    paramsSha256: row.paramsSha256,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    decidedAt: row.decidedAt,
    executedAt: row.executedAt,
    finishedAt: row.finishedAt,
    result: row.result,
    messageRef: row.messageRef,
  };
}
