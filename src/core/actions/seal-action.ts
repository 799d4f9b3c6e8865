/**
 * @module actions/seal-action
 * The `seal` action for the approval engine: the cluster stops serving (DESIGN §6). The node at
 * VAULT_ADDR is sealed, then each node that takes over is sealed in turn (see `seal-cluster.ts`)
 * through VAULT_ADDR and every address in VAULT_NODE_ADDRS, until no node is active. Success is
 * judged by each node's own `sys/health`, not by a PUT's 204, and the result names every node's
 * state. If some node still serves at the end the run fails, naming it.
 */
import { CoreError, ErrorCode } from '../errors.js';
import type { ActionDefinition, ParamFact } from '../approvals/types.js';
import type { VaultSealStatus } from '../vault/types.js';
import { sealCluster, stillServing, type ClusterSealOptions, type SealNode } from './seal-cluster.js';

/** What a seal request freezes: which Vault (and which nodes). The reason travels as the request's own reason. */
export interface SealParams {
  address: string;
  /** VAULT_NODE_ADDRS when the request was made; absent on requests made before it existed. */
  nodes?: string[];
}

/** The Vault calls this action needs; `VaultClient` satisfies it. */
export interface SealTarget extends SealNode {
  sealStatus(): Promise<VaultSealStatus>;
  /** A client for another node of the cluster, with the same credentials. */
  forNode(address: string): SealNode;
}

export interface SealActionOptions extends ClusterSealOptions {
  /** VAULT_NODE_ADDRS. */
  nodeAddrs?: readonly string[];
}

export const SEAL_APPROVALS = 2;
export const SEAL_TTL_MS = 15 * 60_000;

/** @example approvals.register(sealAction(backupEngine.vault, { nodeAddrs: config.vault.nodeAddrs })); */
export function sealAction(vault: SealTarget, options: SealActionOptions = {}): ActionDefinition<SealParams> {
  return {
    name: 'seal',
    approvalsRequired: SEAL_APPROVALS,
    ttlMs: SEAL_TTL_MS,
    describe: ({ address, nodes = [...(options.nodeAddrs ?? [])] }) => [
      { label: 'Vault', value: address },
      ...(nodes.length > 0 ? [{ label: 'Nodes', value: nodes.join(', ') }] : []),
      { label: 'Effect', value: 'the active node is sealed, then each node that takes over, until none serves; every client is refused until key holders unseal' },
    ],
    async execute({ address, nodes = [] }) {
      if (address !== vault.address) {
        // The request froze another address (configuration changed since): do not seal something nobody approved.
        throw new CoreError(ErrorCode.ApprovalRefused, `This request was approved for ${address}, but the bot now talks to ${vault.address}; nothing was sealed. Request the seal again.`);
      }
      const listed = [...new Set([...nodes, ...(options.nodeAddrs ?? [])])];
      const others = listed.filter((a) => a !== vault.address).map((a) => vault.forNode(a));
      const result = await sealCluster(vault, others, (a) => vault.forNode(a), options);
      if (result.serving) throw stillServing(result);
      const threshold = await vault.sealStatus().then(
        (s) => `${s.t} of ${s.n} key shares`,
        () => 'unknown (seal-status did not answer)',
      );
      const sealed = result.nodes.filter((n) => n.outcome === 'sealed-now' || n.outcome === 'sealed-before').length;
      const facts: ParamFact[] = [
        ...result.nodes.map((n) => ({ label: n.address, value: n.text })),
        { label: 'Unseal threshold', value: threshold },
      ];
      const summary =
        result.nodes.length === 1
          ? `Sealed Vault at ${address}; its sys/health confirms it is sealed and nothing serves.`
          : `Sealed the cluster behind ${address}: no node serves (${sealed} of ${result.nodes.length} nodes sealed, each node's state below).`;
      return { summary, facts };
    },
  };
}
