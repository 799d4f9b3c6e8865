/**
 * @module restore/canary
 * Proves a restore worked by reading a known secret. Vault applies a staged snapshot after
 * answering 204, and the target then holds the snapshot's tokens, so the read uses production's
 * credentials and is retried for a while. A target that comes back sealed did not share
 * production's seal: that needs production's key holders, and is said so instead of being called a
 * failure of the backup.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import { isCoreError } from '../errors.js';
import type { SecretReader, SnapshotSource } from '../backup/ports.js';

export interface CanaryResult {
  status: 'ok' | 'skipped' | 'failed';
  detail?: string;
  note?: string;
}

export async function checkCanary(
  target: Pick<SnapshotSource, 'health'>,
  reader: SecretReader,
  path: string,
  opts: { timeoutMs: number; clock: Clock; intervalMs?: number },
): Promise<CanaryResult> {
  const deadline = opts.clock().getTime() + opts.timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      await reader.readSecret(path);
      return { status: 'ok', detail: `read ${path}` };
    } catch (error) {
      last = isCoreError(error) ? error.userMessage : 'unexpected error';
      const health = await target.health().catch(() => undefined);
      if (health?.sealed) {
        return {
          status: 'skipped',
          detail: 'the target is sealed after the restore, so the canary could not be read',
          note: 'The target came back sealed: it does not share production\'s seal, so production\'s key holders must unseal it. The backup itself restored.',
        };
      }
    }
    if (opts.clock().getTime() >= deadline) return { status: 'failed', detail: `could not read ${path} after the restore: ${last}` };
    await sleep(opts.intervalMs ?? 1000);
  }
}
