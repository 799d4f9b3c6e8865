/**
 * @module actions/seal-unseal-follow
 * Wraps the `seal` action so that, once an approved emergency seal succeeded, the seal request's
 * thread follows the unseal until Vault serves again and reports how long it was sealed (DESIGN
 * §11). The seal itself is unchanged; this only adds the follow-up after it.
 */
import type { AuditTrail } from '../audit/types.js';
import type { ActionDefinition } from '../approvals/types.js';
import type { FollowUps } from '../rotation/follow-ups.js';
import { followUnseal, type UnsealNode } from '../rotation/unseal-follow.js';

export interface UnsealFollowDeps {
  nodes: () => readonly UnsealNode[];
  followUps: FollowUps;
  audit: AuditTrail;
  now?: () => number;
  pollMs?: number;
  maxMs?: number;
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_MAX_MS = 7 * 24 * 3_600_000;

export function withUnsealFollow<P extends object>(seal: ActionDefinition<P>, deps: UnsealFollowDeps): ActionDefinition<P> {
  return {
    ...seal,
    async execute(params, ctx) {
      const result = await seal.execute(params, ctx);
      const sealedAt = (deps.now ?? Date.now)();
      deps.followUps.start(ctx.requestId, 'unseal', async (signal) => {
        await followUnseal({
          nodes: deps.nodes(),
          sealedAt,
          note: (text) => deps.followUps.note(ctx.requestId, text),
          signal,
          intervalMs: deps.pollMs ?? DEFAULT_POLL_MS,
          maxMs: deps.maxMs ?? DEFAULT_MAX_MS,
          ...(deps.now ? { now: deps.now } : {}),
          onServing: (sealedForMs) => deps.audit.append({ actor: 'system', event: 'seal.unsealed', target: ctx.requestId, details: { sealedForMs } }),
        });
      });
      return { ...result, facts: [...(result.facts ?? []), { label: 'Unseal', value: 'progress follows in this thread until Vault serves again' }] };
    },
  };
}
