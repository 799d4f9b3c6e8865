/**
 * @module bot/with-timeout
 * A bound on how long an answer may wait for Vault: `/vault status` and `/healthz` answer with
 * "no answer within N s" instead of hanging behind a stuck Vault.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
