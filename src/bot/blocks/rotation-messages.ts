/**
 * @module bot/blocks/rotation-messages
 * What rotation shows outside the approval message: the `/vault unseal-status` answer (one line
 * per node) and the warning posted when someone pastes what looks like a key share in a thread.
 */
import { describeNodeState, type NodeSealState } from '../../core/rotation/unseal-status.js';
import { escapeText, mention } from '../text.js';
import { context, plainMessage, section, type SlackMessage } from './kit.js';

export function renderUnsealStatus(nodes: readonly NodeSealState[]): SlackMessage {
  const first = nodes.find((n) => n.reachable);
  const sealed = nodes.filter((n) => n.reachable && n.sealed).length;
  const unreachable = nodes.filter((n) => !n.reachable).length;
  const headline = first === undefined
    ? ':x: *Unseal status* — no node answered'
    : sealed === 0
      ? `:unlock: *Unseal status* — every node that answered is unsealed (threshold ${first.threshold} of ${first.shares})`
      : `:lock: *Unseal status* — ${sealed} of ${nodes.length} node${nodes.length === 1 ? '' : 's'} sealed${unreachable ? `, ${unreachable} unreachable` : ''} (threshold ${first.threshold} of ${first.shares})`;
  const lines = nodes.map((n) => `• \`${escapeText(n.address)}\` — ${escapeText(describeNodeState(n))}`);
  return {
    text: headline.replace(/\*/g, ''),
    blocks: [section(headline), section(lines.join('\n')), context('Key holders unseal with their own CLI (`vault operator unseal`); the bot never asks for or accepts a key share.')],
  };
}

/** Never quotes the message: the text may be a live key share. */
export function shareWarningReply(userId: string, deleted: boolean): SlackMessage {
  const what = deleted
    ? `:rotating_light: ${mention(userId)}, I deleted your message because it looked like an unseal key share.`
    : `:rotating_light: ${mention(userId)}, your message looks like an unseal key share and I could not delete it (a bot may only delete its own messages unless an admin allows more): *delete it yourself now*.`;
  return plainMessage(
    `${what} Never paste shares in Slack: give them only to your own CLI (\`vault operator rekey\` / \`vault operator unseal\`). Treat that share as exposed and tell the other key holders.`,
  );
}
