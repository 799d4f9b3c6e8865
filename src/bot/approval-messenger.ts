/**
 * @module bot/approval-messenger
 * Where approval requests live in Slack: one parent message in the ops channel, replies in its
 * thread, and updates of the parent. The engine's state is the truth; this only shows it.
 *
 * Every parent update is rendered from `status()` at the moment it is sent, and the sends for one
 * request go one at a time, so a late update can never put an older state over a newer one. A
 * failed send (429, `ok:false`) is logged and dropped: no state lives here, and the next event for
 * the request re-renders the parent from the engine.
 */
import type { webApi } from '@slack/bolt';
import type { ApprovalStatus, MessageRef } from '../core/approvals/index.js';
import type { Logger } from '../core/logger.js';
import { renderRequestMessage } from './blocks/request-message.js';
import type { SlackMessage } from './blocks/kit.js';
import { summariseSlackError } from './slack-errors.js';

/** The engine calls the messenger needs. */
export interface RequestRecords {
  status(requestId: string): ApprovalStatus | undefined;
  attachMessage(requestId: string, ref: MessageRef): boolean;
}

export interface ApprovalMessengerOptions {
  client: webApi.WebClient;
  /** SLACK_OPS_CHANNEL: where request messages go. */
  channel: string;
  requests: RequestRecords;
  logger: Logger;
}

export class ApprovalMessenger {
  readonly #client: webApi.WebClient;
  readonly #channel: string;
  readonly #requests: RequestRecords;
  readonly #logger: Logger;
  /** Per request, the tail of its send queue. */
  readonly #queues = new Map<string, Promise<void>>();

  constructor({ client, channel, requests, logger }: ApprovalMessengerOptions) {
    this.#client = client;
    this.#channel = channel;
    this.#requests = requests;
    this.#logger = logger.child({ component: 'approval-messenger' });
  }

  /** Posts the parent message and remembers where it is. Throws when Slack refuses the post. */
  async announce(status: ApprovalStatus): Promise<MessageRef> {
    const message = renderRequestMessage(status);
    const posted = await this.#client.chat.postMessage({ channel: this.#channel, ...message, unfurl_links: false, unfurl_media: false });
    if (typeof posted.ts !== 'string') throw new Error('chat.postMessage answered without a ts');
    const ref = { channel: posted.channel ?? this.#channel, ts: posted.ts };
    this.#requests.attachMessage(status.id, ref);
    return ref;
  }

  /** A reply in the request's thread. Never throws: a lost reply is logged, the state is unaffected. */
  reply(requestId: string, message: SlackMessage): Promise<void> {
    return this.#enqueue(requestId, 'thread reply', async (ref) => {
      await this.#client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, ...message, unfurl_links: false, unfurl_media: false });
    });
  }

  /** Re-renders the parent from the engine's current state. Never throws. */
  refresh(requestId: string): Promise<void> {
    return this.#enqueue(requestId, 'parent update', async (ref) => {
      const status = this.#requests.status(requestId);
      if (status === undefined) return;
      await this.#client.chat.update({ channel: ref.channel, ts: ref.ts, ...renderRequestMessage(status) });
    });
  }

  /** Resolves once every queued message for every request has been sent (or given up). */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()]);
  }

  #enqueue(requestId: string, what: string, send: (ref: MessageRef) => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        const ref = this.#requests.status(requestId)?.messageRef;
        if (!ref) {
          this.#logger.warn({ requestId }, `no message recorded for the request; ${what} skipped`);
          return;
        }
        await send(ref);
      } catch (error) {
        const { code, detail } = summariseSlackError(error);
        this.#logger.warn({ requestId, code, detail }, `${what} failed (${detail}); state is kept, the next event re-renders`);
        this.#logger.debug({ requestId, err: error }, `${what} error detail`);
      }
    };
    const tail = (this.#queues.get(requestId) ?? Promise.resolve()).then(run);
    this.#queues.set(requestId, tail);
    void tail.finally(() => {
      if (this.#queues.get(requestId) === tail) this.#queues.delete(requestId);
    });
    return tail;
  }
}
