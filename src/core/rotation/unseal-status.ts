/**
 * @module rotation/unseal-status
 * `/vault unseal-status`: each node's own `sys/seal-status` (reference §3.1: every node reports
 * its own state), read through `VAULT_ADDR` and each of `VAULT_NODE_ADDRS`. A node that does not
 * answer is listed as unreachable, not left out.
 */
import { asCoreError } from '../errors.js';
import type { VaultSealStatus } from '../vault/types.js';

export interface SealStatusSource {
  readonly address: string;
  sealStatus(): Promise<VaultSealStatus>;
}

export type NodeSealState =
  | { address: string; reachable: true; initialized: boolean; sealed: boolean; threshold: number; shares: number; progress: number; version: string; type: string }
  | { address: string; reachable: false; reason: string };

export async function readNodeSealStates(nodes: readonly SealStatusSource[]): Promise<NodeSealState[]> {
  return Promise.all(
    nodes.map(async (node): Promise<NodeSealState> => {
      try {
        const s = await node.sealStatus();
        return { address: node.address, reachable: true, initialized: s.initialized, sealed: s.sealed, threshold: s.t, shares: s.n, progress: s.progress, version: s.version, type: s.type };
      } catch (error) {
        return { address: node.address, reachable: false, reason: asCoreError(error, 'no answer').userMessage };
      }
    }),
  );
}

/** `sealed, 1 of 3 shares given` / `unsealed` / `not initialised` / `unreachable: …`. */
export function describeNodeState(node: NodeSealState): string {
  if (!node.reachable) return `unreachable: ${node.reason}`;
  if (!node.initialized) return 'not initialised';
  if (!node.sealed) return `unsealed (${node.threshold} of ${node.shares} shares unseal it)`;
  return `sealed, ${node.progress} of ${node.threshold} key shares given`;
}
