/**
 * @module approvals/messages
 * Plain-text wording for request states and refusals, platform-neutral: no markup, no user
 * mentions. The bot renders ids as mentions and wraps these lines in its own blocks.
 */
import type { RefusalReason, RequestState } from './types.js';

const HEADLINES: Readonly<Record<RequestState, string>> = {
  pending: 'Waiting for approvals',
  approved: 'Approved, about to run',
  executing: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  denied: 'Denied',
  cancelled: 'Cancelled by the requester',
  expired: 'Expired before enough approvals',
  interrupted: 'Interrupted by a restart; not re-run',
};

export function headlineFor(state: RequestState): string {
  return HEADLINES[state];
}

/** `1 of 2 approvals`, `1 of 1 approval`, or `no approvals needed`. */
export function approvalsSummary(approvals: number, required: number): string {
  if (required === 0) return 'no approvals needed';
  return `${approvals} of ${required} ${required === 1 ? 'approval' : 'approvals'}`;
}

const REFUSALS: Readonly<Record<RefusalReason, string>> = {
  self_approval: 'You made this request, so you cannot approve it; two other people must.',
  not_authorised: 'You are not on the approver list; ask an admin to add you to SLACK_APPROVERS or the approver group.',
  guest: 'Guest accounts cannot request or approve actions.',
  bot: 'Bots cannot request or approve actions.',
  deleted: 'Deactivated accounts cannot request or approve actions.',
  other_workspace: 'Only members of this workspace can request or approve actions.',
  expired: 'This request has expired; request the action again if it is still needed.',
  already_decided: 'This request has already been decided; nothing was changed.',
  not_found: 'There is no such request; check the id with /vault approvals.',
  not_requester: 'Only the person who made this request can cancel it; others can deny it.',
  not_approved: 'This request has not been approved, so it cannot run.',
  unknown_action: 'This bot does not know how to run that action; check its version and configuration.',
  directory_unavailable: 'Could not check your permissions just now; nothing was recorded, please try again.',
};

/** One sentence to tell the person who clicked, e.g. in an ephemeral reply. */
export function refusalMessage(reason: RefusalReason): string {
  return REFUSALS[reason];
}

const COMMAND_REFUSALS: Readonly<Partial<Record<RefusalReason, string>>> = {
  not_authorised: 'You are not on the approver list, so the only command you can use is /vault help; ask an admin to add you to SLACK_APPROVERS or the approver group.',
  guest: 'Guest accounts can only use /vault help.',
  bot: 'Bots can only use /vault help.',
  deleted: 'Deactivated accounts cannot use /vault commands.',
  other_workspace: 'Only members of this workspace can use /vault commands other than help.',
  directory_unavailable: 'Could not check your permissions just now, so nothing was run; please try again.',
};

/** One sentence for someone refused a command (DESIGN §6: only authorised users run anything but help). */
export function commandRefusalMessage(reason: RefusalReason): string {
  return COMMAND_REFUSALS[reason] ?? refusalMessage(reason);
}
