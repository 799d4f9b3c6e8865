/**
 * @module approvals/state-machine
 * The request lifecycle. Every state change in the store is a conditional UPDATE from one of
 * these edges, so a move that is not listed here can never happen, even between processes.
 *
 * ```
 * pending ──► approved ──► executing ──► succeeded | failed
 *    │           │             └──► interrupted   (found executing at start-up; never re-run)
 *    │           └──► interrupted   (approved long before a restart and never started; not run)
 *    └──► denied | cancelled | expired
 * ```
 */
import type { RequestState } from './types.js';

const EDGES: Readonly<Record<RequestState, readonly RequestState[]>> = {
  pending: ['approved', 'denied', 'cancelled', 'expired'],
  approved: ['executing', 'interrupted'],
  executing: ['succeeded', 'failed', 'interrupted'],
  succeeded: [],
  failed: [],
  denied: [],
  cancelled: [],
  expired: [],
  interrupted: [],
};

export const REQUEST_STATES = Object.keys(EDGES) as RequestState[];

export function canTransition(from: RequestState, to: RequestState): boolean {
  return EDGES[from].includes(to);
}

/** States no operation leaves. */
export function isFinal(state: RequestState): boolean {
  return EDGES[state].length === 0;
}

export function isRequestState(value: string): value is RequestState {
  return (REQUEST_STATES as string[]).includes(value);
}
