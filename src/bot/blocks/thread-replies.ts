/**
 * @module bot/blocks/thread-replies
 * The replies under a request message: one per decision, one when the run starts, one with the
 * result (and its measured time), and the expiry and restart notices. Short mrkdwn lines.
 */
import { droppedReasonText, type ApprovalStatus } from '../../core/approvals/index.js';
import { escapeText, listing, mention, safeText } from '../text.js';
import { context, fieldSections, plainMessage, section, type SlackMessage } from './kit.js';
import { resultLine } from './request-message.js';

export function approvedReply(userId: string, status: ApprovalStatus): SlackMessage {
  return plainMessage(`:white_check_mark: ${mention(userId)} approved · ${escapeText(status.summary)}`);
}

export function deniedReply(userId: string, reason?: string): SlackMessage {
  const why = reason ? `: ${safeText(reason, 500)}` : '';
  return plainMessage(`:no_entry: ${mention(userId)} denied this request${why}. It will not run.`);
}

export function cancelledReply(userId: string): SlackMessage {
  return plainMessage(`:leftwards_arrow_with_hook: ${mention(userId)} cancelled this request. It will not run.`);
}

export function runningReply(status: ApprovalStatus): SlackMessage {
  const by = status.approvers.length > 0 ? ` (approved by ${listing(status.approvers.map(mention))})` : '';
  return plainMessage(`:gear: Running ${escapeText(status.action)} \`${escapeText(status.id)}\`${by}…`);
}

export function resultReply(status: ApprovalStatus): SlackMessage {
  const line = resultLine(status) || `${escapeText(status.headline)}.`;
  const facts = status.result?.ok ? status.result.facts : [];
  // Votes found not to qualify at execution (DESIGN §6), named as people rather than ids.
  const dropped = status.result && !status.result.ok ? (status.result.dropped ?? []) : [];
  const droppedLine = dropped
    .map((d) => `${d.role === 'requester' ? 'requester' : 'vote of'} ${mention(d.userId)}: ${escapeText(droppedReasonText(d.reason))}`)
    .join(' · ');
  return {
    text: line,
    blocks: [
      section(line),
      ...(droppedLine ? [context(`No longer counted at execution: ${droppedLine}`)] : []),
      ...fieldSections(facts.map((f) => ({ label: escapeText(f.label), value: safeText(f.value, 1000) }))),
    ],
  };
}

export function expiredReply(status: ApprovalStatus): SlackMessage {
  return plainMessage(`:alarm_clock: This request expired with ${escapeText(status.summary)}. Nothing was run; request it again if it is still needed.`);
}

export function interruptedReply(status: ApprovalStatus): SlackMessage {
  if (status.result && !status.result.ok && status.result.code === 'stale_approval') {
    return plainMessage(`:warning: \`${escapeText(status.id)}\` was approved but never started before the bot restarted. ${safeText(status.result.message, 1000)}`);
  }
  const why = status.result && !status.result.ok ? ` ${safeText(status.result.message, 1000)}` : '';
  return plainMessage(`:warning: The bot restarted while \`${escapeText(status.id)}\` was running, so it was interrupted and *will not be re-run*.${why}`);
}
