/**
 * @module bot/blocks/command-replies
 * Short ephemeral answers to `/vault`: help, usage mistakes, refusals and errors. Each says what
 * happened and what to type next.
 */
import { escapeText, safeText } from '../text.js';
import { context, section, type SlackMessage } from './kit.js';

export interface HelpEntry {
  form: string;
  what: string;
}

export function helpReply(entries: readonly HelpEntry[]): SlackMessage {
  const lines = entries.map((e) => `\`${escapeText(e.form)}\` — ${escapeText(e.what)}`);
  return {
    text: 'vault-chatops commands',
    blocks: [
      section('*vault-chatops* — backups, restores and the emergency seal for Vault'),
      section(lines.join('\n')),
      context('Restore, seal and rotations need two approvals from other authorised people, in the ops channel. The bot never asks for or accepts unseal key shares.'),
    ],
  };
}

/** `problem` may quote what the user typed; it is escaped here. */
export function usageReply(problem: string, usage: string): SlackMessage {
  const forms = usage.split('\n').map((form) => `\`${escapeText(form)}\``).join('\n');
  const text = `${safeText(problem, 500)}\nUse:\n${forms}`;
  return { text, blocks: [section(text)] };
}

/** A sentence the core or the engine made safe to show (CoreError userMessage, refusal). */
export function noticeReply(sentence: string, icon = ':warning:'): SlackMessage {
  const text = `${icon} ${safeText(sentence, 2500)}`;
  return { text, blocks: [section(text)] };
}

/** For anything that is not a CoreError: the detail is in the log, never in Slack. */
export const GENERIC_FAILURE = 'Something went wrong on our side; the details are in the bot log. Please try again, or ask the bot operators.';

/** After a request was posted: where, and what happens next. */
export function requestPostedReply(id: string, action: string, channel: string, required: number, expiresAt: string): SlackMessage {
  const text =
    `:inbox_tray: Your ${escapeText(action)} request \`${escapeText(id)}\` is posted in <#${channel}>. ` +
    `It runs once ${required} other approver${required === 1 ? '' : 's'} approve it, before ${escapeText(expiresAt.slice(11, 16))} UTC.`;
  return { text, blocks: [section(text)] };
}
