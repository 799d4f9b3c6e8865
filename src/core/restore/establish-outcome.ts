/**
 * @module restore/establish-outcome
 * After a restore upload that reached Vault whole but got no answer, finds out what happened
 * instead of guessing "failed": Vault answers only after installing a snapshot, so a long install
 * outlives any answer timeout. Evidence, checked until it shows or the time is up:
 *
 * - the target is sealed now: installing a snapshot made with other unseal keys seals it;
 * - the raft committed index moved (`sys/leader`): installing a snapshot resets it;
 *
 * then the caller's canary read confirms the data is served. Without evidence the outcome stays
 * "unknown" and is reported so, never as a failure of the backup.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { RestoreTarget } from '../backup/ports.js';

export interface EstablishedOutcome {
  status: 'applied' | 'unknown';
  /** One clause for a person: what was seen. */
  evidence: string;
}

export async function establishOutcome(
  target: Pick<RestoreTarget, 'health' | 'raftIndex'>,
  indexBefore: number | undefined,
  opts: { timeoutMs: number; clock: Clock; intervalMs?: number },
): Promise<EstablishedOutcome> {
  const deadline = opts.clock().getTime() + opts.timeoutMs;
  let last = 'Vault did not answer';
  for (;;) {
    const health = await target.health().catch(() => undefined);
    if (health?.sealed) {
      return { status: 'applied', evidence: 'the target is sealed now, as it is after installing a snapshot made with other unseal keys' };
    }
    const index = health ? await target.raftIndex?.().catch(() => undefined) : undefined;
    if (index !== undefined && indexBefore !== undefined && index !== indexBefore) {
      return { status: 'applied', evidence: `the raft committed index moved from ${indexBefore} to ${index}` };
    }
    if (health) {
      last = index === undefined
        ? 'the raft index could not be read'
        : indexBefore === undefined ? `the raft index before the upload is not known (now ${index})` : `the raft committed index is still ${index}`;
    }
    if (opts.clock().getTime() >= deadline) return { status: 'unknown', evidence: `${last} and it is unsealed` };
    await sleep(opts.intervalMs ?? 2000);
  }
}
