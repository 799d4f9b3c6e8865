/**
 * @module web-api-methods The Web API methods the bot uses (reference §4), each a function from
 * decoded arguments to the success body, throwing `PlatformError` for Slack's `ok:false` codes.
 * Only behaviour the bot can observe is modelled; anything else is `unknown_method`.
 */
import { chatDelete } from './chat-delete.js';
import { randomBytes } from 'node:crypto';
import { LIMITS, assignBlockIds, validateBlocks, validateView } from './block-kit.js';
import type { Directory } from './directory.js';
import type { FileStore } from './files.js';
import type { Interactivity } from './interactivity.js';
import { toWireMessage, type MessageContent, type MessageStore } from './message-store.js';
import type { ApiArgs, AppIdentity, Block, OpenedView, SlackChannel } from './types.js';

/** A Slack platform error: answered as HTTP 200 `{ok:false, error: code, ...extra}`. */
export class PlatformError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export interface MethodContext {
  identity: AppIdentity;
  directory: Directory;
  store: MessageStore;
  interactivity: Interactivity;
  views: OpenedView[];
  mintBlockId: () => string;
  files: FileStore;
}

export type MethodHandler = (args: ApiArgs, ctx: MethodContext) => Record<string, unknown>;

/** A string argument; form bodies carry strings, JSON bodies may carry numbers. */
export function str(args: ApiArgs, key: string): string | undefined {
  const v = args[key];
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** A boolean argument: `true` or the form value `"true"` (the client sends booleans as text). */
export function flag(args: ApiArgs, key: string): boolean {
  return args[key] === true || args[key] === 'true' || args[key] === '1';
}

/** Slack's error detail for validation failures: `errors` plus `[ERROR]` response_metadata messages. */
export function validationDetail(errors: string[]): Record<string, unknown> {
  return { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
}

/** Reads and validates message content; `requireSome` is postMessage's "text, blocks or attachments". */
export function readContent(args: ApiArgs, requireSome: boolean, mintBlockId: () => string): MessageContent {
  const text = str(args, 'text');
  if (text !== undefined && text.length > LIMITS.messageText) throw new PlatformError('msg_too_long');
  const content: MessageContent = {};
  if (text !== undefined) content.text = text;
  if (args.blocks !== undefined) {
    const violation = validateBlocks(args.blocks);
    if (violation) throw new PlatformError(violation.error, validationDetail(violation.errors));
    content.blocks = assignBlockIds(args.blocks as Block[], mintBlockId);
  }
  if (args.attachments !== undefined) {
    if (!Array.isArray(args.attachments)) throw new PlatformError('invalid_attachments');
    if (args.attachments.length > 100) throw new PlatformError('too_many_attachments');
    content.attachments = args.attachments;
  }
  const visible = (text ?? '') !== '' || (content.blocks?.length ?? 0) > 0 || (content.attachments?.length ?? 0) > 0;
  if (requireSome && !visible) throw new PlatformError('no_text');
  if (!requireSome && text === undefined && content.blocks === undefined && content.attachments === undefined) {
    throw new PlatformError('no_text');
  }
  return content;
}

/** A channel the bot may write to, or the error Slack gives. */
function writableChannel(args: ApiArgs, ctx: MethodContext): SlackChannel {
  const channel = ctx.directory.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) throw new PlatformError('channel_not_found');
  if (channel.is_archived) throw new PlatformError('is_archived');
  if (!channel.members.includes(ctx.identity.botUserId)) throw new PlatformError('not_in_channel');
  return channel;
}

/** The thread a reply joins: replying to a reply lands in its parent's thread, as in Slack. */
function threadOf(args: ApiArgs, channel: SlackChannel, ctx: MethodContext): string | undefined {
  const threadTs = str(args, 'thread_ts');
  if (threadTs === undefined || threadTs === '') return undefined;
  const parent = ctx.store.find(channel.id, threadTs);
  // Stricter than Slack, which may accept a dangling thread_ts: a reply to nothing is a bug in the bot.
  if (!parent) throw new PlatformError('invalid_thread_ts');
  return parent.thread_ts ?? parent.ts;
}

const authTest: MethodHandler = (_args, { identity }) => ({
  url: `https://${identity.teamDomain}.slack.com/`,
  team: identity.teamName,
  user: identity.botName,
  team_id: identity.teamId,
  user_id: identity.botUserId,
  bot_id: identity.botId,
  is_enterprise_install: false,
});

const postMessage: MethodHandler = (args, ctx) => {
  const channel = writableChannel(args, ctx);
  const content = readContent(args, true, ctx.mintBlockId);
  const threadTs = threadOf(args, channel, ctx);
  const { identity } = ctx;
  const stored = ctx.store.add({
    type: 'message',
    channel: channel.id,
    ...(threadTs !== undefined && { thread_ts: threadTs }),
    text: content.text ?? '',
    ...(content.blocks && { blocks: content.blocks }),
    ...(content.attachments && { attachments: content.attachments }),
    ...(args.metadata !== undefined && { metadata: args.metadata }),
    ...(threadTs !== undefined && flag(args, 'reply_broadcast') && { reply_broadcast: true }),
    user: identity.botUserId,
    bot_id: identity.botId,
    app_id: identity.appId,
    team: identity.teamId,
    source: 'chat.postMessage',
  });
  return { channel: channel.id, ts: stored.ts, message: toWireMessage(stored) };
};

const update: MethodHandler = (args, ctx) => {
  const channel = ctx.directory.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) throw new PlatformError('channel_not_found');
  const message = ctx.store.find(channel.id, str(args, 'ts') ?? '');
  if (!message) throw new PlatformError('message_not_found');
  if (message.user !== ctx.identity.botUserId) throw new PlatformError('cant_update_message');
  const content = readContent(args, false, ctx.mintBlockId);
  ctx.store.edit(message, content, ctx.identity.botUserId);
  const { ts: _ts, type: _type, ...wire } = toWireMessage(message);
  return { channel: channel.id, ts: message.ts, text: message.text, message: wire };
};

const postEphemeral: MethodHandler = (args, ctx) => {
  const channel = writableChannel(args, ctx);
  const user = str(args, 'user') ?? '';
  if (!ctx.directory.users.has(user)) throw new PlatformError('user_not_found');
  if (!channel.members.includes(user)) throw new PlatformError('user_not_in_channel');
  const content = readContent(args, true, ctx.mintBlockId);
  const threadTs = str(args, 'thread_ts');
  const stored = ctx.store.addEphemeral({
    channel: channel.id,
    user,
    ...(threadTs && { thread_ts: threadTs }),
    text: content.text ?? '',
    ...(content.blocks && { blocks: content.blocks }),
    ...(content.attachments && { attachments: content.attachments }),
    source: 'chat.postEphemeral',
  });
  return { message_ts: stored.ts };
};

const usersInfo: MethodHandler = (args, ctx) => {
  const user = ctx.directory.users.get(str(args, 'user') ?? '');
  if (!user) throw new PlatformError('user_not_found');
  return { user: structuredClone(user) };
};

const usergroupUsers: MethodHandler = (args, ctx) => {
  const users = ctx.directory.usergroups.get(str(args, 'usergroup') ?? '');
  if (!users) throw new PlatformError('no_such_subteam');
  return { users: [...users] };
};

/** Cursor pagination as `client.paginate()` expects: `next_cursor` is `""` on the last page. */
const conversationMembers: MethodHandler = (args, ctx) => {
  const channel = ctx.directory.channels.get(str(args, 'channel') ?? '');
  if (!channel) throw new PlatformError('channel_not_found');
  const limit = Number(str(args, 'limit') ?? '100');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new PlatformError('invalid_limit');
  const cursor = str(args, 'cursor') ?? '';
  const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (cursor !== '' && !decoded) throw new PlatformError('invalid_cursor');
  const start = decoded ? Number(decoded[1]) : 0;
  const members = channel.members.slice(start, start + limit);
  const next = start + limit < channel.members.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
  return { members, response_metadata: { next_cursor: next } };
};

const viewsOpen: MethodHandler = (args, ctx) => {
  const violation = validateView(args.view);
  if (violation) throw new PlatformError(violation.error, validationDetail(violation.errors));
  const trigger = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer') ?? '';
  const refusal = ctx.interactivity.exchangeTrigger(trigger);
  if (refusal) throw new PlatformError(refusal);
  const input = args.view as Record<string, unknown>;
  const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
  const view: Record<string, unknown> = {
    id,
    team_id: ctx.identity.teamId,
    type: 'modal',
    private_metadata: '',
    callback_id: '',
    external_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...input,
    blocks: assignBlockIds((input.blocks as Block[] | undefined) ?? [], ctx.mintBlockId),
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    previous_view_id: null,
    root_view_id: id,
    app_id: ctx.identity.appId,
    app_installed_team_id: ctx.identity.teamId,
    bot_id: ctx.identity.botId,
  };
  ctx.views.push({ trigger_id: trigger, view: structuredClone(view) });
  return { view };
};

export const METHODS: Readonly<Record<string, MethodHandler>> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.delete': chatDelete,
  'chat.postEphemeral': postEphemeral,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
  'conversations.members': conversationMembers,
  'views.open': viewsOpen,
  'files.getUploadURLExternal': (args, ctx) => ctx.files.getUploadUrl(args),
  'files.completeUploadExternal': (args, ctx) =>
    ctx.files.complete(args, { identity: ctx.identity, store: ctx.store, channel: (id) => ctx.directory.resolveChannel(id) }),
};
