/**
 * @module message-store What each channel shows: messages with their threads and edit history,
 * and the ephemeral messages each user sees. Reads hand out copies, so an assertion sees the state
 * at the moment it looked, not a later edit.
 */
import type { Clock } from '../../../src/core/clock.js';
import type { Block, EphemeralMessage, MessageVersion, StoredMessage } from './types.js';

/** Content that replaces a message's visible body. */
export interface MessageContent {
  text?: string;
  blocks?: Block[];
  attachments?: unknown[];
}

/** Mints Slack-style `ts` values: `<10-digit seconds>.<6-digit micros>`, unique and increasing. */
export class TsClock {
  private lastMicros = 0;
  constructor(private readonly clock: Clock) {}

  next(): string {
    // Step by 100 µs when the clock has not moved, so ts stay unique and sort like Slack's.
    const micros = Math.max(this.clock().getTime() * 1000, this.lastMicros + 100);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }
}

const byTs = (a: { ts: string }, b: { ts: string }): number => Number(a.ts) - Number(b.ts);

export class MessageStore {
  private readonly byChannel = new Map<string, StoredMessage[]>();
  private readonly ephemeralList: EphemeralMessage[] = [];

  constructor(private readonly ts: TsClock) {}

  add(message: Omit<StoredMessage, 'ts' | 'history'>): StoredMessage {
    const stored: StoredMessage = { ...message, ts: this.ts.next(), history: [] };
    const list = this.byChannel.get(stored.channel) ?? [];
    list.push(stored);
    this.byChannel.set(stored.channel, list);
    return stored;
  }

  /** The live message (not a copy) or undefined. */
  find(channel: string, ts: string): StoredMessage | undefined {
    return this.byChannel.get(channel)?.find((m) => m.ts === ts);
  }

  /** Replaces text/blocks, keeping the previous version; fields left undefined are retained (chat.update). */
  edit(message: StoredMessage | EphemeralMessage, content: MessageContent, editor: string): void {
    const previous: MessageVersion = { text: message.text, replaced_at: this.ts.next() };
    if (message.blocks !== undefined) previous.blocks = message.blocks;
    if (message.attachments !== undefined) previous.attachments = message.attachments;
    message.history.push(previous);
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    if (!('ephemeral' in message)) message.edited = { user: editor, ts: previous.replaced_at };
  }

  remove(channel: string, ts: string): void {
    const list = this.byChannel.get(channel);
    if (list) this.byChannel.set(channel, list.filter((m) => m.ts !== ts));
  }

  /** Top-level messages in channel order, plus thread replies sent with `reply_broadcast`. */
  channelMessages(channel: string): StoredMessage[] {
    const list = this.byChannel.get(channel) ?? [];
    return structuredClone(list.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast === true));
  }

  /** The thread's parent followed by its replies, as `conversations.replies` lists them; [] if no parent. */
  thread(channel: string, ts: string): StoredMessage[] {
    const list = this.byChannel.get(channel) ?? [];
    const parent = list.find((m) => m.ts === ts);
    if (!parent) return [];
    const replies = list.filter((m) => m.thread_ts === ts && m.ts !== ts).sort(byTs);
    return structuredClone([parent, ...replies]);
  }

  addEphemeral(message: Omit<EphemeralMessage, 'ts' | 'history' | 'ephemeral'>): EphemeralMessage {
    const stored: EphemeralMessage = { ephemeral: true, ...message, ts: this.ts.next(), history: [] };
    this.ephemeralList.push(stored);
    return stored;
  }

  findEphemeral(ts: string): EphemeralMessage | undefined {
    return this.ephemeralList.find((m) => m.ts === ts);
  }

  /** Ephemeral messages still on screen, for one user or everyone. */
  ephemerals(user?: string): EphemeralMessage[] {
    return structuredClone(this.ephemeralList.filter((m) => !m.deleted && (user === undefined || m.user === user)));
  }
}

/**
 * A stored message as Slack puts it on the wire (the `message` of a `chat.postMessage` answer or a
 * `block_actions` payload): Slack's fields only, without the harness's channel/source/history.
 */
export function toWireMessage(m: StoredMessage): Record<string, unknown> {
  const { channel: _channel, source: _source, history: _history, ...wire } = structuredClone(m);
  return wire;
}
