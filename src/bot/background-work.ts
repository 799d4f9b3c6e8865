/**
 * @module bot/background-work
 * Work the bot started after answering Slack — an approved restore or seal, `backup now`, the
 * start-up catch-up — tracked so that stopping the bot lets it finish (within a grace period)
 * instead of killing a restore half-way and closing the database under it.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class BackgroundWork {
  readonly #running = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
    return work;
  }

  get size(): number {
    return this.#running.size;
  }

  /** Waits for everything tracked, at most `graceMs`; true when all of it finished. */
  async drain(graceMs: number): Promise<boolean> {
    const deadline = Date.now() + graceMs;
    while (this.#running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const timeout = new AbortController();
      await Promise.race([Promise.all([...this.#running]), sleep(left, undefined, { signal: timeout.signal }).catch(() => undefined)]);
      timeout.abort();
    }
    return true;
  }
}
