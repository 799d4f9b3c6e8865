/**
 * @module bot/blocks/alerts-list
 * `/vault alerts`: what is firing (severity, since when, acknowledged or not) and what resolved
 * in the last day.
 */
import type { AlertView } from '../../core/alerts/index.js';
import { escapeText, mention } from '../text.js';
import { formatElapsed } from './alert-message.js';
import { context, section, type Block, type SlackMessage } from './kit.js';

const ICON = { critical: ':rotating_light:', high: ':warning:', medium: ':large_yellow_circle:' } as const;
const SHOWN = 15;

export function renderAlertList(firing: readonly AlertView[], resolved: readonly AlertView[], now: Date): SlackMessage {
  const head = firing.length === 0 ? ':large_green_circle: *Nothing is firing.*' : `*${firing.length} alert${firing.length === 1 ? '' : 's'} firing*`;
  const firingLines = firing.slice(0, SHOWN).map((a) => {
    const ack = a.ackedBy ? ` · acknowledged by ${mention(a.ackedBy)}` : ' · *not acknowledged*';
    return `${ICON[a.severity]} *${escapeText(a.title)}* (${a.severity}) · firing for ${formatElapsed(now.getTime() - a.firedAt.getTime())}${ack}\n${escapeText(a.detail).slice(0, 300)}`;
  });
  const resolvedLines = resolved.slice(0, SHOWN).map((a) =>
    `:white_check_mark: ${escapeText(a.title)} · resolved after ${formatElapsed((a.resolvedAt ?? now).getTime() - a.firedAt.getTime())}, ${formatElapsed(now.getTime() - (a.resolvedAt ?? now).getTime())} ago`,
  );
  const blocks: Block[] = [section(head)];
  for (const line of firingLines) blocks.push(section(line));
  blocks.push(resolvedLines.length > 0 ? section(`*Resolved in the last 24 h*\n${resolvedLines.join('\n')}`) : context('Nothing resolved in the last 24 h.'));
  return { text: firing.length === 0 ? 'Nothing is firing.' : `${firing.length} alert(s) firing`, blocks };
}
