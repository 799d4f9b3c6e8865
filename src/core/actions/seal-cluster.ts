/**
 * @module actions/seal-cluster
 * An emergency seal of a whole HA cluster (DESIGN §6). `PUT sys/seal` seals only the node that
 * answers it, and only when that node is active; in an HA cluster a standby then takes over and
 * serves again within seconds. So: seal the node at `VAULT_ADDR`, then look at every known node
 * (`VAULT_NODE_ADDRS`, plus any leader a node names), seal each node that is now active, and repeat
 * until no node is active. A standby cannot be sealed through the API (Vault answers 500), but with
 * too few unsealed voters for a raft quorum it can never become active again, so the loop stops
 * there; while a quorum is still possible it waits, bounded, for the takeover to show. Raft's
 * voter count (autopilot, read before the seal) makes nodes nobody listed count: without
 * VAULT_NODE_ADDRS a cluster whose other nodes could still elect a leader is not called sealed.
 *
 * The result names each node's state: sealed (by this run or before), a standby that cannot
 * serve, not reachable, or still active (the seal did not finish: the action then fails).
 */
import { asCoreError, CoreError, ErrorCode } from '../errors.js';
import type { VaultHealth, VaultLeader } from '../vault/types.js';

/** What the loop needs of one node; `VaultClient` (and `forNode(addr)`) satisfies it. */
export interface SealNode {
  readonly address: string;
  /** The node's own state, any status; rejects only when it cannot be reached. */
  health(): Promise<VaultHealth>;
  seal(): Promise<void>;
  leader(): Promise<VaultLeader>;
  /** Raft autopilot (authenticated, active node): how many voters the cluster has. Optional. */
  autopilotState?(): Promise<{ voters: string[] } | undefined>;
}

export type NodeOutcome = 'sealed-now' | 'sealed-before' | 'standby-cannot-serve' | 'standby' | 'active' | 'unreachable' | 'other';

export interface NodeReport {
  address: string;
  outcome: NodeOutcome;
  /** One plain phrase for people, e.g. `sealed by this request`. */
  text: string;
}

export interface ClusterSealResult {
  nodes: NodeReport[];
  /** True when some node is still active (or could still become active) at the end. */
  serving: boolean;
  /** Raft voters the cluster reported before the seal (0 when unknown). */
  voters: number;
  /** Voters with no address the bot knows (not in VAULT_NODE_ADDRS, never named as leader). */
  unseen: number;
}

export interface ClusterSealOptions {
  /** How long to wait for a standby to take over after the active node sealed; default 20 s. */
  takeoverWaitMs?: number;
  /** Pause between looks while waiting; default 1 s. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Probe {
  node: SealNode;
  health?: VaultHealth;
  error?: string;
}

const norm = (addr: string): string => addr.replace(/\/+$/, '');

/**
 * `first` is VAULT_ADDR's node; `others` are VAULT_NODE_ADDRS; `nodeAt` makes a node for a leader
 * address nobody listed. A refusal of the first seal other than "standby" (e.g. 403) is thrown:
 * nothing was sealed and the token must be fixed.
 */
export async function sealCluster(
  first: SealNode,
  others: readonly SealNode[],
  nodeAt: (address: string) => SealNode,
  o: ClusterSealOptions = {},
): Promise<ClusterSealResult> {
  const takeoverWaitMs = o.takeoverWaitMs ?? 20_000;
  const pollMs = o.pollMs ?? 1000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = o.now ?? Date.now;
  const nodes = new Map<string, SealNode>([[norm(first.address), first]]);
  for (const n of others) if (!nodes.has(norm(n.address))) nodes.set(norm(n.address), n);
  const sealedNow = new Set<string>();
  const sealErrors = new Map<string, string>();

  const sealOne = async (node: SealNode, mustWork: boolean): Promise<void> => {
    try {
      await node.seal();
      sealedNow.add(norm(node.address));
    } catch (error) {
      const e = asCoreError(error, 'no answer');
      // A standby (or a load balancer that reached one) refuses with 500; the loop finds the active node.
      if (mustWork && e.code === ErrorCode.VaultPermissionDenied) throw error;
      sealErrors.set(norm(node.address), e.userMessage);
    }
  };

  // Before sealing, while the first node is still active: how many raft voters there are, so a
  // node nobody listed still counts against "nothing serves".
  const voters = (await first.autopilotState?.().catch(() => undefined))?.voters.length ?? 0;
  const total = (): number => Math.max(voters, nodes.size);
  await sealOne(first, true);
  // Bounded: each round seals at least one active node, or waits one poll within takeoverWaitMs.
  const maxRounds = 4 * (nodes.size + 2) + Math.ceil(takeoverWaitMs / Math.max(1, pollMs));
  let waitingSince: number | undefined;
  let probes: Probe[] = [];
  for (let round = 0; round < maxRounds; round += 1) {
    probes = await probeAll(nodes, nodeAt);
    const active = probes.filter((p) => p.health?.state === 'active');
    if (active.length > 0) {
      waitingSince = undefined;
      const before = sealedNow.size;
      for (const p of active) await sealOne(p.node, false);
      if (sealedNow.size === before) break; // an active node refused to seal: report it, do not spin
      continue;
    }
    // Raft elects a leader only with more than half of the voters up. A sealed node is not up;
    // a node we cannot see (unreachable, or never listed) might be.
    if (!quorumPossible(probes, total())) break;
    // Waiting helps only if a node we can see may become active.
    if (!probes.some((p) => p.health?.initialized === true && !p.health.sealed)) break;
    waitingSince ??= now();
    if (now() - waitingSince >= takeoverWaitMs) break;
    await sleep(pollMs);
  }

  const possible = quorumPossible(probes, total());
  const reports = probes.map((p) => report(p, sealedNow, sealErrors, !possible));
  const serving = possible || reports.some((r) => r.outcome === 'active');
  return { nodes: reports, serving, voters, unseen: Math.max(0, voters - nodes.size) };
}

/** Could a leader still be elected: more than half of `voters` not known to be sealed? */
function quorumPossible(probes: readonly Probe[], voters: number): boolean {
  const sealed = probes.filter((p) => p.health?.sealed === true).length;
  return (voters - sealed) * 2 > voters;
}

async function probeAll(nodes: Map<string, SealNode>, nodeAt: (address: string) => SealNode): Promise<Probe[]> {
  const probes = await Promise.all(
    [...nodes.values()].map(async (node): Promise<Probe> => {
      try {
        return { node, health: await node.health() };
      } catch (error) {
        return { node, error: asCoreError(error, 'no answer').userMessage };
      }
    }),
  );
  // A standby names the active node; one that nobody listed is added (and probed next round).
  for (const p of probes) {
    if (p.health?.state !== 'standby') continue;
    const leader = await p.node.leader().catch(() => undefined);
    const addr = leader?.leaderAddress ? norm(leader.leaderAddress) : '';
    if (addr && !nodes.has(addr)) nodes.set(addr, nodeAt(addr));
  }
  return probes;
}

function report(p: Probe, sealedNow: Set<string>, sealErrors: Map<string, string>, quorumLost: boolean): NodeReport {
  const address = norm(p.node.address);
  const h = p.health;
  if (!h) return { address, outcome: 'unreachable', text: `not reachable (${p.error ?? 'no answer'})` };
  if (h.sealed) {
    return sealedNow.has(address)
      ? { address, outcome: 'sealed-now', text: 'sealed by this request' }
      : { address, outcome: 'sealed-before', text: 'sealed (already, or by the cluster)' };
  }
  if (h.state === 'standby' || h.state === 'perf-standby') {
    return quorumLost
      ? { address, outcome: 'standby-cannot-serve', text: 'unsealed standby, not serving: too few unsealed nodes for a raft quorum, so it cannot become active' }
      : { address, outcome: 'standby', text: 'unsealed standby that can still take over' };
  }
  if (h.state === 'active') {
    const why = sealErrors.get(address);
    return { address, outcome: 'active', text: `STILL ACTIVE AND SERVING${why ? ` (seal refused: ${why})` : ''}` };
  }
  return { address, outcome: 'other', text: `${h.state} (sys/health ${h.code})` };
}

/** The failure when the cluster still serves: each node's state, so on-call knows where to go. */
export function stillServing(result: ClusterSealResult): CoreError {
  const lines = result.nodes.map((n) => `${n.address}: ${n.text}`).join('; ');
  const unseen =
    result.unseen > 0
      ? ` Raft has ${result.voters} voters but the bot knows ${result.voters - result.unseen} addresses, so ${result.unseen} node${result.unseen === 1 ? '' : 's'} may have taken over and serve: set VAULT_NODE_ADDRS to every node's address.`
      : '';
  const active = result.nodes.some((n) => n.outcome === 'active');
  return new CoreError(
    ErrorCode.VaultServerError,
    `The cluster ${active ? 'still serves' : 'may still serve'} after the seal: ${lines}.${unseen} Seal the active node with the Vault CLI or stop it.`,
  );
}
