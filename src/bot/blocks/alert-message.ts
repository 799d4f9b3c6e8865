/**
 * @module bot/blocks/alert-message
 * An incident in the ops channel: the one message (severity, title, what was found, when it
 * fired, who acknowledged or when it resolved, and the Acknowledge button while it needs one),
 * the reminders posted in its thread, and the "resolved after <duration>" line.
 */
import type { AlertView } from '../../core/alerts/index.js';
import { escapeText, mention, safeText } from '../text.js';
import { ACTION } from './action-ids.js';
import { button, context, section, type Block, type SlackMessage } from './kit.js';

const ICON = { critical: ':rotating_light:', high: ':warning:', medium: ':large_yellow_circle:' } as const;

/** `<!subteam^S…>` or `<!here>`, put in front of critical alerts and their reminders. */
export function oncallMention(group: string | undefined): string {
  return group ? `<!subteam^${group}>` : '<!here>';
}

export function renderAlert(a: AlertView, oncall: string): SlackMessage {
  const resolved = a.state === 'resolved';
  const icon = resolved ? ':white_check_mark:' : ICON[a.severity];
  const page = a.severity === 'critical' && !resolved ? `${oncall} ` : '';
  const headline = `${page}${icon} *${escapeText(a.title)}* · ${a.severity}${resolved ? ' · resolved' : ''}`;
  const lines = [`Fired ${utc(a.firedAt)} · \`${a.key}\``];
  if (a.late) lines.push(':hourglass: Posted late: Slack could not be reached while this fired and cleared.');
  if (a.ackedBy && a.ackedAt) lines.push(`:eyes: Acknowledged by ${mention(a.ackedBy)} at ${utc(a.ackedAt)}`);
  if (resolved && a.resolvedAt) lines.push(`:white_check_mark: Resolved ${utc(a.resolvedAt)}, after ${formatElapsed(a.resolvedAt.getTime() - a.firedAt.getTime())}`);
  const blocks: Block[] = [section(headline, `alert:${a.id}`), section(safeText(a.detail, 2000)), context(lines.join('\n'))];
  if (!resolved && !a.ackedAt) {
    blocks.push({ type: 'actions', block_id: `alert_actions:${a.id}`, elements: [button(ACTION.alertAck, 'Acknowledge', String(a.id), 'primary')] });
  }
  return { text: `${page}${a.late ? 'Late notice: ' : ''}${resolved ? 'Resolved: ' : ''}${a.title} (${a.severity})`, blocks };
}

export function renderReminder(a: AlertView, oncall: string, now: Date): SlackMessage {
  const line = `${oncall} :bell: *Reminder ${a.reminders}:* ${escapeText(a.title)} has been firing for ${formatElapsed(now.getTime() - a.firedAt.getTime())} and nobody has acknowledged it. Click *Acknowledge* on the alert to stop reminders.`;
  return { text: `Reminder: ${a.title} is still firing`, blocks: [section(line)] };
}

export function renderResolvedNote(a: AlertView): SlackMessage {
  const after = a.resolvedAt ? formatElapsed(a.resolvedAt.getTime() - a.firedAt.getTime()) : 'an unknown time';
  const line = `:white_check_mark: ${escapeText(a.title)}: resolved after ${after}.`;
  return { text: line, blocks: [section(line)] };
}

export function renderAlertNote(text: string): SlackMessage {
  const line = `:information_source: ${safeText(text, 2500)}`;
  return { text: line, blocks: [section(line)] };
}

/** `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
