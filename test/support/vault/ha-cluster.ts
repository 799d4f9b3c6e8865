/**
 * @module ha-cluster An HA Vault cluster for tests: several nodes, each its own HTTP listener
 * (`startVaultServer`), sharing one logical state (KV, tokens, barrier — what raft replicates).
 * Which node is active follows the rules in vault-api.md §1.4 and §3:
 * - one unsealed node is active; the other unsealed nodes are standbys (`sys/health` 429,
 *   `sys/leader` `is_self:false` with the active's address, snapshot paths 307 to the active,
 *   `sys/seal` 500 "cannot seal when in standby mode"; other requests are served as if forwarded);
 * - when the active node seals, an unsealed standby takes over at once (real Vault takes seconds);
 * - raft needs a quorum: with more than half of the voters sealed no node can become active, and
 *   the unsealed ones stay standbys with no leader (`sys/health` 474 on Vault, `sys/leader` with an
 *   empty `leader_address`, requests 500 `local node not active but active cluster node not found`);
 * - unsealing nodes back to a quorum elects an active node again;
 * - raft configuration and autopilot state list every node (a sealed one as failed).
 *
 * A test that sets `faults` on a node should spread the current ones (`{...node.faults, …}`):
 * `faults.standby` is how a node knows it is a standby.
 *
 * @example
 * const cluster = await startHaCluster({ nodes: 3 });
 * await fetch(`${cluster.nodes[1].url}/v1/sys/health`); // 429: a standby
 */
import { startVaultServer } from './server.js';
import { newServiceToken, type LogicalState, type VaultCore } from './state.js';
import type { VaultServerOptions, VaultTestServer } from './types.js';

export interface HaClusterOptions extends VaultServerOptions {
  /** Number of nodes (raft voters); default 3. */
  nodes?: number;
}

export interface HaCluster {
  /** The nodes in start order; node 0 starts active. */
  readonly nodes: VaultTestServer[];
  readonly urls: string[];
  readonly rootToken: string;
  /** URL of the active node, or undefined when none is (all sealed, or quorum lost). */
  activeUrl(): string | undefined;
  /** Per node: `active`, `standby`, `standby-no-leader` or `sealed`. */
  states(): Array<{ url: string; state: 'active' | 'standby' | 'standby-no-leader' | 'sealed' }>;
  stop(): Promise<void>;
}

export async function startHaCluster(opts: HaClusterOptions = {}): Promise<HaCluster> {
  const count = opts.nodes ?? 3;
  const rootToken = opts.rootToken ?? newServiceToken();
  const cores: VaultCore[] = [];
  const sealed = new Map<VaultCore, boolean>();
  let shared: LogicalState | undefined;
  let active: VaultCore | undefined;
  let ready = false;

  const elect = (): void => {
    if (!ready) return;
    const up = cores.filter((c) => c.state.initialized && sealed.get(c) !== true);
    const quorum = up.length * 2 > cores.length;
    if (!quorum) active = undefined;
    else if (active === undefined || !up.includes(active)) {
      active = up[0];
      if (active) active.activeSince = Date.now();
    }
    for (const core of cores) {
      const { standby: _old, ...rest } = core.faults;
      core.faults = core === active ? rest : { ...rest, standby: { activeAddr: active?.url ?? '' } };
    }
  };

  const link = (core: VaultCore): void => {
    // One replicated state: every node reads and writes the first node's, and a restore on any
    // node replaces it for all.
    shared ??= core.logical;
    Object.defineProperty(core, 'logical', {
      get: () => shared,
      set: (value: LogicalState) => {
        shared = value;
      },
      configurable: true,
    });
    // Seal and unseal go through `state.sealed` (sys/seal, sys/unseal, a failed restore, tests).
    sealed.set(core, core.state.sealed);
    Object.defineProperty(core.state, 'sealed', {
      get: () => sealed.get(core) === true,
      set: (value: boolean) => {
        sealed.set(core, value);
        elect();
      },
      enumerable: true,
      configurable: true,
    });
    cores.push(core);
  };

  const { nodes: _n, ...serverOptions } = opts;
  const nodes: VaultTestServer[] = [];
  for (let i = 0; i < count; i += 1) nodes.push(await startVaultServer({ ...serverOptions, rootToken }, { core: link }));
  // Raft configuration and autopilot list every voter; a sealed node is not alive in raft.
  const peers = () => cores.map((c, i) => ({ id: `node${i + 1}`, address: `node${i + 1}.cluster.test:8201`, leader: c === active, alive: sealed.get(c) !== true }));
  for (const core of cores) core.raftPeers = peers;
  ready = true;
  elect();

  return {
    nodes,
    urls: nodes.map((n) => n.url),
    rootToken,
    activeUrl: () => active?.url,
    states: () =>
      cores.map((c) => ({
        url: c.url,
        state: c.state.sealed ? 'sealed' : c === active ? 'active' : active === undefined ? 'standby-no-leader' : 'standby',
      })),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}
