/**
 * @module bot/request-follow-ups
 * The bot's side of core's `FollowUps`: runs a follow-up (a rekey or an unseal being followed)
 * in the background, posts its lines in the request's thread through the messenger, and aborts
 * every follow-up when the bot stops. A follow-up cut off by a restart is not resumed: the thread
 * said what was known, and `/vault unseal-status` answers the rest.
 */
import type { Logger } from '../core/logger.js';
import type { FollowUps } from '../core/rotation/follow-ups.js';
import type { ApprovalMessenger } from './approval-messenger.js';
import { plainMessage } from './blocks/kit.js';
import { safeText } from './text.js';

export class RequestFollowUps implements FollowUps {
  readonly #messenger: Pick<ApprovalMessenger, 'reply'>;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();
  readonly #active = new Map<string, string>();

  constructor({ messenger, logger }: { messenger: Pick<ApprovalMessenger, 'reply'>; logger: Logger }) {
    this.#messenger = messenger;
    this.#logger = logger.child({ component: 'follow-ups' });
  }

  start(requestId: string, what: string, task: (signal: AbortSignal) => Promise<void>): void {
    if (this.#stop.signal.aborted) return;
    const log = this.#logger.child({ requestId, followUp: what });
    this.#active.set(requestId, what);
    const run = Promise.resolve()
      .then(() => task(this.#stop.signal))
      .then(
        () => log.info(`${what} follow-up finished`),
        (error: unknown) => {
          if (this.#stop.signal.aborted) log.info(`${what} follow-up stopped with the bot`);
          else log.warn({ errName: error instanceof Error ? error.name : typeof error }, `${what} follow-up failed`);
        },
      )
      .finally(() => {
        this.#running.delete(run);
        if (this.#active.get(requestId) === what) this.#active.delete(requestId);
      });
    this.#running.add(run);
  }

  note(requestId: string, text: string): Promise<void> {
    return this.#messenger.reply(requestId, plainMessage(safeText(text, 2900)));
  }

  /** What is followed for a request right now (`rekey`, `unseal`), if anything. */
  following(requestId: string): string | undefined {
    return this.#active.get(requestId);
  }

  /** Resolves when every follow-up ended by itself (tests). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async stop(): Promise<void> {
    this.#stop.abort(new Error('bot stopping'));
    await Promise.allSettled([...this.#running]);
  }
}
