/**
 * @module health/bounded
 * Runs one check with a deadline, so a hung Vault or store call fails that check after
 * `timeoutMs` instead of stalling the round. The abandoned call is left to its own timeout.
 */

export class CheckTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${formatMs(timeoutMs)}`);
    this.name = 'CheckTimeout';
  }
}

export function bounded<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(timeoutMs)), timeoutMs);
    timer.unref();
  });
  // `work()` may throw synchronously; Promise.resolve().then turns that into a rejection.
  return Promise.race([Promise.resolve().then(work), deadline]).finally(() => clearTimeout(timer));
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
