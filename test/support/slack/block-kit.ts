/**
 * @module block-kit Slack's Block Kit limits (reference §6) as the fake enforces them, so a message
 * our bot builds is refused here exactly where Slack would refuse it. Error strings copy the
 * observed `invalid_blocks` style: "<rule> [json-pointer:/blocks/…]".
 */
import type { Block } from './types.js';

export const LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  id: 255,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  /** Top-level `text`; Slack truncates past this, the fake refuses it (`msg_too_long`) to catch it early. */
  messageText: 40_000,
  /**
   * Cumulative block text. Slack's cap is undocumented (reports near 12–13k, `msg_blocks_too_long`);
   * the fake uses the low end so a message that passes here passes in Slack.
   */
  totalBlockText: 12_000,
  viewTitle: 24,
  privateMetadata: 3000,
} as const;

/** A refusal: Slack's error code plus the per-rule messages it puts in `errors`. */
export interface BlockKitViolation {
  error: string;
  errors: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a text object (`{type, text}`), or undefined when it is not one. */
function textOf(obj: unknown): string | undefined {
  return isRecord(obj) && typeof obj.text === 'string' ? obj.text : undefined;
}

function checkTextObject(obj: unknown, max: number, path: string, out: string[], plainOnly = false): number {
  if (!isRecord(obj) || (obj.type !== 'plain_text' && obj.type !== 'mrkdwn') || typeof obj.text !== 'string') {
    out.push(`must provide a text object [json-pointer:${path}]`);
    return 0;
  }
  if (plainOnly && obj.type !== 'plain_text') out.push(`must be a plain_text text object [json-pointer:${path}/type]`);
  if (obj.text.length < 1) out.push(`must be more than 0 characters [json-pointer:${path}/text]`);
  if (obj.text.length > max) out.push(`must be less than ${max + 1} characters [json-pointer:${path}/text]`);
  return obj.text.length;
}

function checkElement(el: unknown, path: string, out: string[], actionIds: Set<string>): number {
  if (!isRecord(el) || typeof el.type !== 'string') {
    out.push(`must be an element object [json-pointer:${path}]`);
    return 0;
  }
  if (typeof el.action_id === 'string') {
    if (el.action_id.length > LIMITS.id) out.push(`must be less than ${LIMITS.id + 1} characters [json-pointer:${path}/action_id]`);
    if (actionIds.has(el.action_id)) out.push(`action_id must be unique within a block [json-pointer:${path}/action_id]`);
    actionIds.add(el.action_id);
  }
  if (el.type !== 'button') return 0;
  const n = checkTextObject(el.text, LIMITS.buttonText, `${path}/text`, out, true);
  if (typeof el.value === 'string' && el.value.length > LIMITS.buttonValue) {
    out.push(`must be less than ${LIMITS.buttonValue + 1} characters [json-pointer:${path}/value]`);
  }
  if (typeof el.url === 'string' && el.url.length > LIMITS.buttonUrl) {
    out.push(`must be less than ${LIMITS.buttonUrl + 1} characters [json-pointer:${path}/url]`);
  }
  return n;
}

/** Checks one block; returns the characters of text it carries (for the cumulative cap). */
function checkBlock(block: unknown, path: string, out: string[], blockIds: Set<string>): number {
  if (!isRecord(block) || typeof block.type !== 'string') {
    out.push(`must be a block object with a type [json-pointer:${path}]`);
    return 0;
  }
  if (typeof block.block_id === 'string') {
    if (block.block_id.length > LIMITS.id) out.push(`must be less than ${LIMITS.id + 1} characters [json-pointer:${path}/block_id]`);
    if (blockIds.has(block.block_id)) out.push(`block_id must be unique [json-pointer:${path}/block_id]`);
    blockIds.add(block.block_id);
  }
  const actionIds = new Set<string>();
  let chars = 0;
  switch (block.type) {
    case 'section': {
      if (block.text === undefined && block.fields === undefined) out.push(`must provide text or fields [json-pointer:${path}]`);
      if (block.text !== undefined) chars += checkTextObject(block.text, LIMITS.sectionText, `${path}/text`, out);
      if (block.fields !== undefined) {
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (fields.length > LIMITS.sectionFields) out.push(`no more than ${LIMITS.sectionFields} items allowed [json-pointer:${path}/fields]`);
        fields.forEach((f, i) => (chars += checkTextObject(f, LIMITS.sectionFieldText, `${path}/fields/${i}`, out)));
      }
      if (block.accessory !== undefined) chars += checkElement(block.accessory, `${path}/accessory`, out, actionIds);
      break;
    }
    case 'header':
      chars += checkTextObject(block.text, LIMITS.headerText, `${path}/text`, out, true);
      break;
    case 'context':
    case 'actions': {
      const max = block.type === 'context' ? LIMITS.contextElements : LIMITS.actionsElements;
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length < 1) out.push(`must provide at least 1 element [json-pointer:${path}/elements]`);
      if (elements.length > max) out.push(`no more than ${max} items allowed [json-pointer:${path}/elements]`);
      elements.forEach((el, i) => {
        if (block.type === 'context') chars += textOf(el)?.length ?? 0;
        else chars += checkElement(el, `${path}/elements/${i}`, out, actionIds);
      });
      break;
    }
    default:
      // divider, image, rich_text, markdown, input…: only the shared block_id rules are modelled.
      break;
  }
  return chars;
}

/**
 * Validates a message's `blocks` as `chat.postMessage` / `chat.update` / response_url would.
 * Returns undefined when Slack would accept them.
 */
export function validateBlocks(blocks: unknown, maxBlocks: number = LIMITS.blocksPerMessage): BlockKitViolation | undefined {
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', errors: ['must be an array [json-pointer:/blocks]'] };
  const errors: string[] = [];
  if (blocks.length > maxBlocks) errors.push(`no more than ${maxBlocks} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  let chars = 0;
  blocks.forEach((b, i) => (chars += checkBlock(b, `/blocks/${i}`, errors, blockIds)));
  if (errors.length > 0) return { error: 'invalid_blocks', errors };
  if (maxBlocks === LIMITS.blocksPerMessage && chars > LIMITS.totalBlockText) {
    return { error: 'msg_blocks_too_long', errors: [`blocks carry ${chars} characters of text; keep under ${LIMITS.totalBlockText}`] };
  }
  return undefined;
}

/** Validates a `views.open` view; Slack answers these with `invalid_arguments` (reference §4). */
export function validateView(view: unknown): BlockKitViolation | undefined {
  const errors: string[] = [];
  if (!isRecord(view)) return { error: 'invalid_arguments', errors: ['must provide an object [json-pointer:/view]'] };
  if (view.type !== 'modal') errors.push('must be "modal" [json-pointer:/view/type]');
  checkTextObject(view.title, LIMITS.viewTitle, '/view/title', errors, true);
  for (const key of ['submit', 'close'] as const) {
    if (view[key] !== undefined) checkTextObject(view[key], LIMITS.viewTitle, `/view/${key}`, errors, true);
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > LIMITS.privateMetadata) {
    errors.push(`must be less than ${LIMITS.privateMetadata + 1} characters [json-pointer:/view/private_metadata]`);
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > LIMITS.id) {
    errors.push(`must be less than ${LIMITS.id + 1} characters [json-pointer:/view/callback_id]`);
  }
  const blocks = validateBlocks(view.blocks ?? [], LIMITS.blocksPerView);
  if (blocks) errors.push(...blocks.errors.map((e) => e.replace('[json-pointer:/blocks', '[json-pointer:/view/blocks')));
  return errors.length > 0 ? { error: 'invalid_arguments', errors } : undefined;
}

/**
 * Gives every block a `block_id`, as Slack does when it stores a message (reference §3: the
 * block_actions payload always carries one), so the driver can echo it back on a click.
 */
export function assignBlockIds(blocks: Block[], mint: () => string): Block[] {
  return blocks.map((b) => (typeof b.block_id === 'string' ? { ...b } : { ...b, block_id: mint() }));
}
