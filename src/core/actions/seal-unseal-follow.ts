/**
 * @module actions/seal-unseal-follow
 * Wraps the `seal` action so that, once an approved emergency seal succeeded, the seal request's
 * thread follows the unseal until Vault serves again and reports how long it was sealed (DESIGN
 * §11). The seal itself is unchanged; this only adds the follow-up after it.
 */
import type { AuditTrail } from '../audit/types.js';
import type { ActionDefinition } from '../approvals/types.js';
import type { FollowUpStore } from '../rotation/follow-up-store.js';
import type { FollowUps } from '../rotation/follow-ups.js';
import { followUnseal, type UnsealNode } from '../rotation/unseal-follow.js';

export interface UnsealFollowDeps {
  nodes: () => readonly UnsealNode[];
  followUps: FollowUps;
  audit: AuditTrail;
  now?: () => number;
  pollMs?: number;
  maxMs?: number;
  /** Remembers followed unseals so a restart takes them up again. */
  followUpStore?: Pick<FollowUpStore, 'open' | 'close'>;
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_MAX_MS = 7 * 24 * 3_600_000;

export function withUnsealFollow<P extends object>(seal: ActionDefinition<P>, deps: UnsealFollowDeps): ActionDefinition<P> {
  return {
    ...seal,
    async execute(params, ctx) {
      const result = await seal.execute(params, ctx);
      const sealedAt = (deps.now ?? Date.now)();
      followUnsealInThread(deps, ctx.requestId, sealedAt);
      return { ...result, facts: [...(result.facts ?? []), { label: 'Unseal', value: 'progress follows in this thread until Vault serves again' }] };
    },
  };
}

/** Starts (or, after a restart, resumes) following the unseal in the seal request's thread. */
export function followUnsealInThread(deps: UnsealFollowDeps, requestId: string, sealedAt: number): void {
  deps.followUpStore?.open(requestId, 'unseal', { sealedAt });
  deps.followUps.start(requestId, 'unseal', async (signal) => {
    const outcome = await followUnseal({
      nodes: deps.nodes(),
      sealedAt,
      note: (text) => deps.followUps.note(requestId, text),
      signal,
      intervalMs: deps.pollMs ?? DEFAULT_POLL_MS,
      maxMs: deps.maxMs ?? DEFAULT_MAX_MS,
      ...(deps.now ? { now: deps.now } : {}),
      onServing: (sealedForMs) => {
        deps.followUpStore?.close(requestId, 'unseal', 'serving');
        deps.audit.append({ actor: 'system', event: 'seal.unsealed', target: requestId, details: { sealedForMs } });
      },
    });
    if (outcome === 'gave_up') deps.followUpStore?.close(requestId, 'unseal', outcome);
  });
}
