/**
 * @module bot/blocks/request-message
 * The one channel message that stands for an approval request (DESIGN §6): who asked for what,
 * the frozen facts people approve, the reason, and a state line (`1 of 2 approvals: @ana`).
 * Buttons show only while the request is pending. Rendered from the engine's status alone, so
 * any event can re-render it after a failed update and the message catches up with the truth.
 */
import { formatDuration } from '../../core/actions/format-duration.js';
import type { ApprovalStatus } from '../../core/approvals/index.js';
import { escapeText, listing, mention, safeText } from '../text.js';
import { ACTION } from './action-ids.js';
import { button, context, fieldSections, section, type Block, type SlackMessage } from './kit.js';

const REASON_MAX = 1000;

const TITLES: Record<string, string> = {
  restore: ':rewind: *Restore requested*',
  seal: ':lock: *Emergency seal requested*',
  'rotate-secret': ':key: *Secret rotation requested*',
  'rotate-backup-key': ':key: *Backup key rotation requested*',
  'rotate-unseal-keys': ':key: *Unseal key rotation (rekey) requested*',
  recover: ':leftwards_arrow_with_hook: *Secret recovery requested*',
  drill: ':test_tube: *Drill requested*',
};

const STATE_ICON: Record<ApprovalStatus['state'], string> = {
  pending: ':hourglass_flowing_sand:',
  approved: ':white_check_mark:',
  executing: ':gear:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  denied: ':no_entry:',
  cancelled: ':leftwards_arrow_with_hook:',
  expired: ':alarm_clock:',
  interrupted: ':warning:',
};

/** `Waiting for approvals · 1 of 2 approvals: <@U2>` and its siblings. */
export function stateLine(status: ApprovalStatus): string {
  const who = status.approvers.length > 0 ? `: ${listing(status.approvers.map(mention))}` : '';
  const parts = [`${STATE_ICON[status.state]} *${escapeText(status.headline)}*`, `${escapeText(status.summary)}${who}`];
  if (status.state === 'denied' && status.deniedBy) parts.push(`denied by ${mention(status.deniedBy)}`);
  if (status.state === 'pending') parts.push(`expires ${clockTime(status.expiresAt)}`);
  return parts.join(' · ');
}

export function renderRequestMessage(status: ApprovalStatus): SlackMessage {
  const title = TITLES[status.action] ?? `*${escapeText(status.action)} requested*`;
  const warnings = status.facts.filter((f) => f.warning === true);
  const blocks: Block[] = [
    section(`${title} by ${mention(status.requester)} · \`${escapeText(status.id)}\``),
    // What approvers must not miss comes first, in bold, before the ordinary facts.
    ...warnings.map((f) => section(`:warning: *${escapeText(f.label)}: ${safeText(f.value, 1000)}*`)),
    ...fieldSections(status.facts.filter((f) => f.warning !== true).map((f) => ({ label: escapeText(f.label), value: safeText(f.value, 1000) }))),
  ];
  if (status.reason) blocks.push(section(`*Reason:* ${safeText(status.reason, REASON_MAX)}`));
  blocks.push(context(stateLine(status)));
  if (status.result) blocks.push(section(resultLine(status)));
  if (status.state === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: `approval:${status.id}`,
      elements: [
        button(ACTION.approve, 'Approve', status.id, 'primary'),
        button(ACTION.deny, 'Deny', status.id, 'danger'),
        button(ACTION.cancel, 'Cancel (requester)', status.id),
      ],
    });
  }
  const who = status.approvers.length > 0 ? `: ${listing(status.approvers.map(mention))}` : '';
  const text = `${plainTitle(status.action)} by ${mention(status.requester)}: ${escapeText(status.headline)} (${escapeText(status.summary)}${who})`;
  return { text, blocks };
}

/** The outcome of a run in one mrkdwn line, with its measured duration unless its facts state one. */
export function resultLine(status: ApprovalStatus): string {
  const result = status.result;
  if (!result) return '';
  if (result.ok) return `:white_check_mark: ${safeText(result.summary, 1500)}${result.timed ? '' : ` _(ran ${formatDuration(result.durationMs)})_`}`;
  return `:x: ${safeText(result.message, 1500)}${result.durationMs > 0 ? ` _(after ${formatDuration(result.durationMs)})_` : ''}`;
}

function plainTitle(action: string): string {
  if (action === 'restore') return 'Restore requested';
  if (action === 'seal') return 'Emergency seal requested';
  return `${escapeText(action)} requested`;
}

/** `14:05 UTC`: approvers in several time zones read one unambiguous time. */
function clockTime(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}
