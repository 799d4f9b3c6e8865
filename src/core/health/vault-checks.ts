/**
 * @module health/vault-checks
 * The checks that ask Vault: reachable, initialised, sealed, active leader, raft autopilot and
 * latency. One `sys/health` answer settles the first three; a standby (429), a performance standby
 * (473) and OpenBao's shorter body are healthy answers (vault-api.md §2, §11), not outages.
 */
import { asCoreError } from '../errors.js';
import { CheckTimeout } from './bounded.js';
import type { AutopilotState, VaultHealth } from '../vault/types.js';
import type { CheckName, CheckResult, HealthVault } from './types.js';

type Timed = <T>(name: CheckName, work: () => Promise<T>) => Promise<{ value: T; ms: number } | { error: unknown; ms: number }>;

/** A follower that has not heard from the leader for longer than this is lagging. */
const LAG_LIMIT_MS = 10_000;

export function reachableResult(outcome: { value: VaultHealth; ms: number } | { error: unknown; ms: number }, address: string): CheckResult {
  if ('error' in outcome) {
    return { name: 'reachable', state: 'fail', alert: 'vault_unreachable', durationMs: outcome.ms, detail: `No health answer from ${address}: ${reason(outcome.error)}` };
  }
  const h = outcome.value;
  return { name: 'reachable', state: 'pass', alert: 'vault_unreachable', durationMs: outcome.ms, detail: `${h.state} node, version ${h.version || 'unknown'} (HTTP ${h.code})` };
}

export function initialisedResult(h: VaultHealth | undefined): CheckResult {
  if (!h) return skip('initialised', 'Vault did not answer.');
  return h.initialized
    ? { name: 'initialised', state: 'pass', durationMs: 0, detail: 'initialised' }
    : { name: 'initialised', state: 'fail', durationMs: 0, detail: 'Vault is not initialised (sys/health 501).' };
}

export function sealedResult(h: VaultHealth | undefined): CheckResult {
  if (!h) return skip('sealed', 'Vault did not answer.', 'vault_sealed');
  if (!h.initialized) {
    // Still the critical, fire-at-once vault_sealed alert (nothing is served), but not titled "sealed":
    // unsealing will not help, initialising will.
    return {
      name: 'sealed', state: 'fail', alert: 'vault_sealed', title: 'Vault is not initialised', durationMs: 0,
      detail: `Vault is not initialised, so it cannot be unsealed or serve anything (HTTP ${h.code}); it needs \`vault operator init\` or a restore.`,
    };
  }
  if (h.sealed) {
    return { name: 'sealed', state: 'fail', alert: 'vault_sealed', durationMs: 0, detail: `Vault is sealed (sys/health reports sealed, HTTP ${h.code}).` };
  }
  return { name: 'sealed', state: 'pass', alert: 'vault_sealed', durationMs: 0, detail: 'unsealed' };
}

/** The active node answers for itself; a standby names the active node it follows. */
export async function leaderResult(vault: HealthVault, h: VaultHealth | undefined, timed: Timed): Promise<CheckResult> {
  if (!h || h.sealed || !h.initialized) return skip('leader', 'Not judged while Vault is sealed or unreachable.', 'no_leader');
  if (h.state === 'active') return { name: 'leader', state: 'pass', alert: 'no_leader', durationMs: 0, detail: 'this node is the active leader' };
  const outcome = await timed('leader', () => vault.leader());
  if ('error' in outcome) return { name: 'leader', state: 'fail', alert: 'no_leader', durationMs: outcome.ms, detail: `sys/leader did not answer: ${reason(outcome.error)}` };
  const l = outcome.value;
  if (!l.haEnabled) return { name: 'leader', state: 'pass', alert: 'no_leader', durationMs: outcome.ms, detail: 'single node (HA off)' };
  if (l.isSelf || l.leaderAddress) {
    return { name: 'leader', state: 'pass', alert: 'no_leader', durationMs: outcome.ms, detail: l.isSelf ? 'this node is the active leader' : `active leader ${l.leaderAddress}` };
  }
  return { name: 'leader', state: 'fail', alert: 'no_leader', durationMs: outcome.ms, detail: `No active leader: ${h.state} node reports no leader address.` };
}

export async function raftResult(vault: HealthVault, h: VaultHealth | undefined, timed: Timed): Promise<CheckResult> {
  if (!h || h.sealed || !h.initialized) return skip('raft', 'Not judged while Vault is sealed or unreachable.', 'raft_unhealthy');
  const outcome = await timed('raft', () => vault.autopilotState());
  if ('error' in outcome) return { name: 'raft', state: 'fail', alert: 'raft_unhealthy', durationMs: outcome.ms, detail: `Raft autopilot state unavailable: ${reason(outcome.error)}` };
  if (!outcome.value) return skip('raft', 'Vault does not use integrated storage (no autopilot state).', 'raft_unhealthy', outcome.ms);
  const problems = autopilotProblems(outcome.value);
  const ap = outcome.value;
  const summary = `${ap.voters.length} voter${ap.voters.length === 1 ? '' : 's'}, failure tolerance ${ap.failureTolerance}`;
  return problems.length === 0
    ? { name: 'raft', state: 'pass', alert: 'raft_unhealthy', durationMs: outcome.ms, detail: `healthy, ${summary}` }
    : { name: 'raft', state: 'fail', alert: 'raft_unhealthy', durationMs: outcome.ms, detail: `${problems.join('; ')} (${summary}).` };
}

/** What is wrong with the cluster, in words; empty when healthy. */
export function autopilotProblems(ap: AutopilotState): string[] {
  const problems: string[] = [];
  const servers = Object.values(ap.servers);
  const unhealthy = servers.filter((s) => !s.healthy).map((s) => s.name || s.id);
  const lagging = servers
    .filter((s) => s.healthy && s.status !== 'leader' && durationMs(s.lastContact) > LAG_LIMIT_MS)
    .map((s) => `${s.name || s.id} (last contact ${s.lastContact})`);
  if (!ap.healthy && unhealthy.length === 0) problems.push('autopilot reports the cluster unhealthy');
  if (unhealthy.length > 0) problems.push(`unhealthy server${unhealthy.length === 1 ? '' : 's'}: ${unhealthy.join(', ')}`);
  if (lagging.length > 0) problems.push(`lagging: ${lagging.join(', ')}`);
  // Three or more voters exist to survive a loss; a tolerance of 0 means the next loss is an outage.
  if (ap.voters.length >= 3 && ap.failureTolerance < 1) problems.push('no failure tolerance left');
  return problems;
}

/** The median of a few `sys/health` round trips against LATENCY_WARN_MS. */
export async function latencyResult(vault: HealthVault, first: VaultHealth | undefined, probes: number, warnMs: number, timed: Timed): Promise<CheckResult> {
  if (!first) return skip('latency', 'Vault did not answer.', 'high_latency');
  const samples = [first.latencyMs];
  let spent = 0;
  for (let i = 1; i < probes; i += 1) {
    const outcome = await timed('latency', () => vault.health());
    spent += outcome.ms;
    if ('error' in outcome) return { name: 'latency', state: 'fail', alert: 'high_latency', durationMs: spent, detail: `A latency probe failed: ${reason(outcome.error)}` };
    samples.push(outcome.value.latencyMs);
  }
  const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
  const text = `median ${median} ms over ${samples.length} probes (limit ${warnMs} ms)`;
  return median > warnMs
    ? { name: 'latency', state: 'fail', alert: 'high_latency', durationMs: spent, detail: `Latency high: ${text}.` }
    : { name: 'latency', state: 'pass', alert: 'high_latency', durationMs: spent, detail: text };
}

function skip(name: CheckName, detail: string, alert?: CheckResult['alert'], durationMs = 0): CheckResult {
  return { name, state: 'skip', detail, durationMs, ...(alert ? { alert } : {}) };
}

export function reason(error: unknown): string {
  if (error instanceof CheckTimeout) return `${error.message}.`;
  return asCoreError(error, 'no answer').userMessage;
}

/** Go duration text (`516.49ms`, `1m12.5s`, `0s`) → milliseconds; unknown text counts as 0. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) total += Number(n) * (units[unit as string] ?? 0);
  return total;
}
