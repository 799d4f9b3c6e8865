/**
 * @module files The current file upload flow (docs.slack.dev, files.getUploadURLExternal and
 * files.completeUploadExternal):
 *
 * 1. `files.getUploadURLExternal` with `filename` and `length` (bytes) → `upload_url`, `file_id`;
 *    a missing or zero `length` is `missing_argument`.
 * 2. A POST of the bytes (raw, or multipart form) to `upload_url`, no token → HTTP 200 `OK - <length>`.
 * 3. `files.completeUploadExternal` with `files` = `[{id, title?}]` (JSON; the client stringifies it
 *    in a form body) and optionally `channel_id`, `initial_comment`, `thread_ts` → `files: [...]`;
 *    the file is then shared in that channel (private when no channel is given).
 *
 * Stricter than Slack, so a bug in the bot shows: an upload whose size differs from the declared
 * `length` is refused (HTTP 400), and completing a file that was never uploaded is `file_not_found`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { MessageStore } from './message-store.js';
import { PlatformError } from './web-api-methods.js';
import type { ApiArgs, AppIdentity, SlackChannel } from './types.js';

export interface UploadedFile {
  id: string;
  name: string;
  title: string;
  /** Declared in files.getUploadURLExternal. */
  length: number;
  /** The bytes POSTed to the upload URL (multipart: the file part), undefined until then. */
  content?: Buffer;
  completed: boolean;
  /** Channels the file was shared in by files.completeUploadExternal. */
  channels: string[];
  initialComment?: string;
  threadTs?: string;
}

export class FileStore {
  readonly files = new Map<string, UploadedFile>();
  private readonly byUploadId = new Map<string, string>();
  baseUrl = '';

  /** files.getUploadURLExternal */
  getUploadUrl(args: ApiArgs): Record<string, unknown> {
    const filename = typeof args.filename === 'string' ? args.filename : '';
    const length = Number(args.length ?? 0);
    if (filename === '' || !Number.isInteger(length) || length <= 0) throw new PlatformError('missing_argument');
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    const uploadId = randomBytes(12).toString('hex');
    this.files.set(id, { id, name: filename, title: filename, length, completed: false, channels: [] });
    this.byUploadId.set(uploadId, id);
    return { upload_url: `${this.baseUrl}/upload/v1/${uploadId}`, file_id: id };
  }

  /** The POST to an upload URL: `[status, body]`. */
  async receive(uploadId: string, req: IncomingMessage): Promise<[number, string]> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const id = this.byUploadId.get(uploadId);
    const file = id ? this.files.get(id) : undefined;
    if (!file) return [404, 'not found'];
    let bytes: Buffer = Buffer.concat(chunks);
    const type = String(req.headers['content-type'] ?? '');
    const boundary = /multipart\/form-data;\s*boundary=("?)([^";]+)\1/i.exec(type)?.[2];
    if (boundary) bytes = filePart(bytes, boundary) ?? Buffer.alloc(0);
    if (bytes.length !== file.length) return [400, `length mismatch: declared ${file.length}, received ${bytes.length}`];
    file.content = bytes;
    return [200, `OK - ${bytes.length}`];
  }

  /** files.completeUploadExternal */
  complete(args: ApiArgs, ctx: { identity: AppIdentity; store: MessageStore; channel: (id: string) => SlackChannel | undefined }): Record<string, unknown> {
    let list: unknown = args.files;
    if (typeof list === 'string') {
      try {
        list = JSON.parse(list);
      } catch {
        throw new PlatformError('invalid_arguments');
      }
    }
    if (!Array.isArray(list) || list.length === 0) throw new PlatformError('invalid_arguments');
    const files = list.map((entry) => {
      const id = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).id : undefined;
      const file = typeof id === 'string' ? this.files.get(id) : undefined;
      if (!file || file.content === undefined) throw new PlatformError('file_not_found');
      const title = (entry as Record<string, unknown>).title;
      return { file, title: typeof title === 'string' && title !== '' ? title : file.name };
    });
    const channelId = typeof args.channel_id === 'string' ? args.channel_id : undefined;
    const channel = channelId ? ctx.channel(channelId) : undefined;
    if (channelId && !channel) throw new PlatformError('channel_not_found');
    if (channel && !channel.members.includes(ctx.identity.botUserId)) throw new PlatformError('not_in_channel');
    const comment = typeof args.initial_comment === 'string' ? args.initial_comment : undefined;
    const threadTs = typeof args.thread_ts === 'string' && args.thread_ts !== '' ? args.thread_ts : undefined;
    for (const { file, title } of files) {
      file.title = title;
      file.completed = true;
      if (comment !== undefined) file.initialComment = comment;
      if (threadTs) file.threadTs = threadTs;
      if (channel && !file.channels.includes(channel.id)) file.channels.push(channel.id);
    }
    if (channel) {
      // The share appears as a message from the bot carrying the files, like Slack's file_share.
      ctx.store.add({
        type: 'message', channel: channel.id, ...(threadTs ? { thread_ts: threadTs } : {}),
        text: comment ?? '', user: ctx.identity.botUserId, bot_id: ctx.identity.botId, app_id: ctx.identity.appId,
        team: ctx.identity.teamId, source: 'files.completeUploadExternal',
        files: files.map(({ file }) => ({ id: file.id, name: file.name, title: file.title, size: file.length })),
      });
    }
    return { files: files.map(({ file }) => ({ id: file.id, name: file.name, title: file.title, size: file.length, channels: [...file.channels] })) };
  }
}

/** The first part of a multipart body that carries a filename (or the first part at all). */
function filePart(body: Buffer, boundary: string): Buffer | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  let first: Buffer | undefined;
  while (start !== -1) {
    const headerStart = start + delimiter.length + 2;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) break;
    const next = body.indexOf(delimiter, headerEnd);
    if (next === -1) break;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const content = body.subarray(headerEnd + 4, next - 2);
    first ??= content;
    if (/filename=/i.test(headers)) return content;
    start = next;
  }
  return first;
}
