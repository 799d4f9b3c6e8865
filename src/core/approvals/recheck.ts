/**
 * @module approvals/recheck
 * The second look DESIGN §6 asks for: when an approved request is about to run, the requester and
 * every approver are checked against the directory again. A vote from someone who no longer
 * qualifies (deactivated, made a guest, removed from the approver list or group, …) is dropped;
 * if the votes left are under the threshold, or the requester no longer qualifies, nothing runs
 * and the refusal names each dropped vote and why. Plain text, no markup: user ids stay opaque.
 */
import type { DroppedVote, RefusalReason } from './types.js';

export interface RecheckOutcome {
  /** Approvers who still qualify, in voting order; these are the ones the action is told about. */
  counted: string[];
  /** Votes (and the requester, role `requester`) that no longer count. */
  dropped: DroppedVote[];
  /** Set when the action must not run: one plain sentence for the thread. */
  refusal?: string;
}

/** Why a person no longer qualifies, as a short phrase ("U1 (deactivated)"). */
const WHY: Readonly<Partial<Record<RefusalReason, string>>> = {
  deleted: 'deactivated',
  guest: 'now a guest account',
  bot: 'a bot account',
  not_authorised: 'no longer in SLACK_APPROVERS or the approver group',
  other_workspace: 'not a member of this workspace',
  directory_unavailable: 'could not be re-checked with Slack just now',
};

export function droppedReasonText(reason: RefusalReason): string {
  return WHY[reason] ?? reason.replace(/_/g, ' ');
}

export async function recheckVotes(
  check: (userId: string) => Promise<RefusalReason | undefined>,
  requester: string,
  approvers: readonly string[],
  threshold: number,
): Promise<RecheckOutcome> {
  // One lookup per person, all at once: an emergency seal should not wait on them one by one.
  const people = [requester, ...approvers];
  const reasons = await Promise.all(people.map((id) => check(id).catch((): RefusalReason => 'directory_unavailable')));
  const dropped: DroppedVote[] = [];
  const requesterReason = reasons[0];
  if (requesterReason !== undefined) dropped.push({ userId: requester, role: 'requester', reason: requesterReason });
  const counted: string[] = [];
  approvers.forEach((id, i) => {
    const reason = reasons[i + 1];
    if (reason === undefined) counted.push(id);
    else dropped.push({ userId: id, role: 'approver', reason });
  });
  const outcome: RecheckOutcome = { counted, dropped };
  const parts = dropped.map((d) => `${d.role === 'requester' ? 'the requester ' : 'the vote of '}${d.userId} (${droppedReasonText(d.reason)})`);
  if (requesterReason !== undefined) {
    outcome.refusal = `Not run: ${parts.join('; ')} no longer counts, and a request stands only while its requester qualifies. Nothing was changed; request it again if it is still needed.`;
  } else if (counted.length < threshold) {
    outcome.refusal = `Not run: ${parts.join('; ')} no longer counts, leaving ${counted.length} of ${threshold} approvals. Nothing was changed; request it again if it is still needed.`;
  }
  return outcome;
}
