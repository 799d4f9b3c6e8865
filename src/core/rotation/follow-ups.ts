/**
 * @module rotation/follow-ups
 * Work that goes on in a request's thread after its action returned: following a rekey until key
 * holders finish it, or an emergency seal until Vault serves again. Core states the facts in
 * plain text; the bot decides where they are shown and stops the work when it shuts down.
 */

export interface FollowUps {
  /** Runs `task` in the background; `signal` aborts when the bot stops. Never throws. */
  start(requestId: string, what: string, task: (signal: AbortSignal) => Promise<void>): void;
  /** One plain-text line in the request's thread (may contain `code` spans). Never throws. */
  note(requestId: string, text: string): Promise<void>;
}

/** For the CLI and tests that do not follow: nothing runs after the action. */
export const noFollowUps: FollowUps = {
  start() {},
  async note() {},
};

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
