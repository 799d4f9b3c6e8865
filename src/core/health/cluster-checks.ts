/**
 * @module health/cluster-checks
 * The Vault checks over every node of an HA cluster (VAULT_NODE_ADDRS). Each node answers
 * `sys/health` for itself: `reachable` passes while any node answers, `sealed` fails when any node
 * is sealed (naming it, and saying whether the cluster still serves — a sealed standby leaves one
 * failure fewer to survive), and leadership, raft and latency are asked of the active node. A
 * standby is healthy; only the absence of any active node is `no_leader`.
 */
import type { VaultHealth } from '../vault/types.js';
import type { CheckName, CheckResult, HealthVault } from './types.js';
import { latencyResult, leaderResult, raftResult, reason } from './vault-checks.js';

type Outcome<T> = { value: T; ms: number } | { error: unknown; ms: number };
type Timed = <T>(name: CheckName, work: () => Promise<T>) => Promise<Outcome<T>>;

interface NodeAnswer {
  node: HealthVault;
  health?: VaultHealth;
  error?: unknown;
  ms: number;
}

export async function clusterVaultChecks(nodes: readonly HealthVault[], probes: number, warnMs: number, timed: Timed): Promise<CheckResult[]> {
  const answers: NodeAnswer[] = await Promise.all(
    nodes.map(async (node) => {
      const o = await timed('reachable', () => node.health());
      return 'value' in o ? { node, health: o.value, ms: o.ms } : { node, error: o.error, ms: o.ms };
    }),
  );
  const ms = Math.max(0, ...answers.map((a) => a.ms));
  const answered = answers.filter((a) => a.health);
  const silent = answers.filter((a) => !a.health).map((a) => `${a.node.address} (${reason(a.error)})`);
  const n = nodes.length;

  const reachable: CheckResult =
    answered.length === 0
      ? { name: 'reachable', state: 'fail', alert: 'vault_unreachable', durationMs: ms, detail: `No node answers: ${silent.join('; ')}` }
      : { name: 'reachable', state: 'pass', alert: 'vault_unreachable', durationMs: ms, detail: `${answered.length} of ${n} nodes answer${silent.length ? `; silent: ${silent.join('; ')}` : ''}` };

  const uninit = answered.filter((a) => a.health?.initialized === false).map((a) => a.node.address);
  const initialised: CheckResult =
    answered.length === 0
      ? { name: 'initialised', state: 'skip', durationMs: 0, detail: 'No node answered.' }
      : uninit.length > 0
        ? { name: 'initialised', state: 'fail', durationMs: 0, detail: `Not initialised: ${uninit.join(', ')}.` }
        : { name: 'initialised', state: 'pass', durationMs: 0, detail: `${answered.length} of ${n} nodes initialised` };

  const active = answered.find((a) => a.health?.state === 'active');
  const sealedNodes = answered.filter((a) => a.health?.sealed).map((a) => a.node.address);
  const serving = active ? `the cluster still serves from ${active.node.address}` : 'no node is active';
  const sealed: CheckResult =
    answered.length === 0
      ? { name: 'sealed', state: 'skip', alert: 'vault_sealed', durationMs: 0, detail: 'No node answered.' }
      : sealedNodes.length > 0
        ? { name: 'sealed', state: 'fail', alert: 'vault_sealed', durationMs: 0, detail: `${sealedNodes.length} of ${n} nodes sealed (${sealedNodes.join(', ')}); ${serving}.` }
        : { name: 'sealed', state: 'pass', alert: 'vault_sealed', durationMs: 0, detail: `all ${answered.length} answering nodes unsealed` };

  // Leadership, raft and latency: ask the active node, else any unsealed node (a standby names the leader).
  const asked = active ?? answered.find((a) => a.health && !a.health.sealed && a.health.initialized);
  const [leader, raft, latency] = await Promise.all([
    leaderResult(asked?.node ?? (nodes[0] as HealthVault), asked?.health, timed),
    raftResult(active?.node ?? (nodes[0] as HealthVault), active?.health, timed),
    latencyResult(asked?.node ?? (nodes[0] as HealthVault), asked?.health, probes, warnMs, timed),
  ]);
  return [reachable, initialised, sealed, leader, raft, latency];
}
