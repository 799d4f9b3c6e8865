/**
 * @module bot/text
 * mrkdwn safety for anything a person typed or a store named: escape Slack's three control
 * characters and cap lengths before text goes into a block (reference §6), so a reason like
 * `<!channel>` stays literal and a long one cannot make Slack refuse the whole message.
 */

/** Slack's limits we write against (reference §6). */
export const LIMITS = {
  sectionText: 3000,
  sectionField: 2000,
  fieldsPerSection: 10,
  contextText: 3000,
  buttonValue: 2000,
  optionText: 75,
  /** Top-level notification text; Slack truncates at 40 000 and advises about 4 000. */
  messageText: 3900,
} as const;

/** `&`, `<`, `>` become entities; nothing else is encoded (Slack's rule). */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to `max` characters with a trailing ellipsis; never splits an entity such as `&amp;`. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** Escape, then cap: the order matters because escaping lengthens the text. */
export function safeText(text: string, max: number): string {
  return capText(escapeText(text), max);
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** `<@U…>` for a Slack user id; anything else (`system`, `cli`) is shown as plain escaped text. */
export function mention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeText(userId);
}

/** `a, b and c` for mentions or words. */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Inline code with backticks removed from the content, since mrkdwn has no way to escape them. */
export function code(text: string, max = 500): string {
  return `\`${safeText(text.replace(/`/g, "'"), max)}\``;
}
