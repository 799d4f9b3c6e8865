/**
 * @module render-text Flattens a message to the text a person reads in the Slack client, so tests
 * assert on what an approver sees ("Approved by @U0ALICE (1 of 2)") instead of on block JSON.
 */
import type { Block } from './types.js';

type Renderable = string | readonly Block[] | { text?: unknown; blocks?: unknown } | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Resolves mrkdwn control sequences the way the client displays them (reference §6): links show
 * their label, mentions show `@…`/`#…`, and only `&amp;`, `&lt;`, `&gt;` are entities.
 */
export function renderMrkdwn(text: string): string {
  return text
    .replace(/<([^<>]+)>/g, (_m, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return label ?? target;
      if (target.startsWith('#')) return label !== undefined ? `#${label}` : target;
      if (target.startsWith('!subteam^')) return label ?? `@${target.slice('!subteam^'.length)}`;
      if (target.startsWith('!')) return label ?? `@${target.slice(1)}`;
      return label ?? target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function textObject(obj: unknown): string | undefined {
  if (!isRecord(obj) || typeof obj.text !== 'string') return undefined;
  return obj.type === 'mrkdwn' ? renderMrkdwn(obj.text) : obj.text;
}

/** Plain text of rich_text elements (sections, lists, quotes, preformatted). */
function richText(elements: unknown): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .map((el) => {
      if (!isRecord(el)) return '';
      if (typeof el.text === 'string') return el.text;
      if (el.type === 'user' && typeof el.user_id === 'string') return `@${el.user_id}`;
      if (el.type === 'channel' && typeof el.channel_id === 'string') return `#${el.channel_id}`;
      if (el.type === 'usergroup' && typeof el.usergroup_id === 'string') return `@${el.usergroup_id}`;
      if (el.type === 'link' && typeof el.url === 'string') return el.url;
      return richText(el.elements);
    })
    .join('');
}

/** The visible label of an interactive element: button text, a select's placeholder. */
function elementLabel(el: unknown): string | undefined {
  if (!isRecord(el)) return undefined;
  if (el.type === 'image') return undefined;
  return textObject(el.text) ?? textObject(el.placeholder) ?? textObject(el);
}

function renderBlock(block: Block): string[] {
  switch (block.type) {
    case 'header':
      return [textObject(block.text) ?? ''];
    case 'section': {
      const lines: string[] = [];
      const main = textObject(block.text);
      if (main !== undefined) lines.push(main);
      if (Array.isArray(block.fields)) lines.push(...block.fields.map((f) => textObject(f) ?? ''));
      const accessory = elementLabel(block.accessory);
      if (accessory !== undefined) lines.push(`[${accessory}]`);
      return lines;
    }
    case 'context':
      return [
        (Array.isArray(block.elements) ? block.elements : [])
          .map((el) => textObject(el))
          .filter((t): t is string => t !== undefined)
          .join(' '),
      ];
    case 'actions':
      return [
        (Array.isArray(block.elements) ? block.elements : [])
          .map((el) => elementLabel(el))
          .filter((t): t is string => t !== undefined)
          .map((t) => `[${t}]`)
          .join(' '),
      ];
    case 'markdown':
      return typeof block.text === 'string' ? [block.text] : [];
    case 'rich_text':
      return [richText(block.elements)];
    case 'input':
      return [textObject(block.label) ?? ''];
    default:
      // divider, image, file…: nothing a test would read as text.
      return [];
  }
}

/**
 * The visible text of a message, blocks or plain text, one line per text-bearing block; button
 * labels appear as `[Approve]`. A message with blocks shows its blocks (its `text` is only the
 * notification fallback), as the Slack client does.
 *
 * @example expect(renderText(fake.messages(ops)[0])).toContain('Approved by @U0ALICE');
 */
export function renderText(message: Renderable): string {
  if (message === undefined) return '';
  if (typeof message === 'string') return renderMrkdwn(message);
  const blocks: unknown = Array.isArray(message) ? message : (message as { blocks?: unknown }).blocks;
  if (Array.isArray(blocks) && blocks.length > 0) {
    return blocks
      .filter((b): b is Block => isRecord(b) && typeof b.type === 'string')
      .flatMap(renderBlock)
      .filter((line) => line !== '')
      .join('\n');
  }
  const text = Array.isArray(message) ? undefined : (message as { text?: unknown }).text;
  return typeof text === 'string' ? renderMrkdwn(text) : '';
}
