/**
 * @module health/run-round
 * One round of every health check (DESIGN §8), against any Vault client and, when given, a
 * backup store and catalogue. Each check is bounded by `timeoutMs` and the independent ones run
 * side by side, so one hung call fails its own check and the round still ends in about
 * `timeoutMs`. Nothing here alerts: the alert engine decides what a round means.
 *
 * @example
 * const round = await runHealthRound({ vault: stagingClient, timeoutMs: 2000 });
 * round.results.find((r) => r.name === 'sealed')?.state; // 'fail' while staging is sealed
 */
import { performance } from 'node:perf_hooks';
import { systemClock } from '../clock.js';
import { MAX_BACKUP_AGE_HOURS } from '../scheduler.js';
import type { VaultHealth } from '../vault/types.js';
import { bounded } from './bounded.js';
import { clusterVaultChecks } from './cluster-checks.js';
import { backupAgeResult, lastBackupResult, newestStoredBackup, restoreTestResult, storeResult, type StoreLook } from './backup-checks.js';
import type { CheckName, CheckResult, HealthRound, HealthRoundOptions } from './types.js';
import { initialisedResult, latencyResult, leaderResult, raftResult, reachableResult, sealedResult } from './vault-checks.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 5000;
export const DEFAULT_LATENCY_WARN_MS = 100;

/** Every check name in display order. */
export const CHECK_ORDER: readonly CheckName[] = [
  'reachable', 'initialised', 'sealed', 'leader', 'raft', 'latency', 'backup_age', 'last_backup', 'restore_test', 'store',
];

export async function runHealthRound(o: HealthRoundOptions): Promise<HealthRound> {
  const clock = o.clock ?? systemClock;
  const startedAt = clock();
  const began = performance.now();
  const timeoutMs = o.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const timed = async <T>(_name: CheckName, work: () => Promise<T>): Promise<{ value: T; ms: number } | { error: unknown; ms: number }> => {
    const t0 = performance.now();
    try {
      const value = await bounded(work, timeoutMs);
      return { value, ms: Math.round(performance.now() - t0) };
    } catch (error) {
      return { error, ms: Math.round(performance.now() - t0) };
    }
  };

  const nodes = o.nodes ?? [];
  const vaultPart = (async (): Promise<CheckResult[]> => {
    if (nodes.length > 0) return clusterVaultChecks(nodes, o.latencyProbes ?? 3, o.latencyWarnMs ?? DEFAULT_LATENCY_WARN_MS, timed);
    const first = await timed('reachable', () => o.vault.health());
    const h: VaultHealth | undefined = 'value' in first ? first.value : undefined;
    const [leader, raft, latency] = await Promise.all([
      leaderResult(o.vault, h, timed),
      raftResult(o.vault, h, timed),
      latencyResult(o.vault, h, o.latencyProbes ?? 3, o.latencyWarnMs ?? DEFAULT_LATENCY_WARN_MS, timed),
    ]);
    return [reachableResult(first, o.vault.address), initialisedResult(h), sealedResult(h), leader, raft, latency];
  })();

  const backupPart = (async (): Promise<CheckResult[]> => {
    const { store, catalogue } = o;
    if (!store || !catalogue) return [];
    const maxAge = o.maxBackupAgeHours ?? MAX_BACKUP_AGE_HOURS;
    const listed = await timed('store', () => newestStoredBackup(store, startedAt, maxAge));
    const look: StoreLook = 'value' in listed ? (listed.value ? { newest: listed.value } : {}) : { error: listed.error };
    return [
      backupAgeResult(catalogue.lastSuccessAt(), look, startedAt, maxAge),
      lastBackupResult(catalogue),
      restoreTestResult(catalogue),
      storeResult(look, store.location, listed.ms),
    ];
  })();

  const results = [...(await vaultPart), ...(await backupPart)];
  return { startedAt, durationMs: Math.round(performance.now() - began), results };
}

/** The checks that failed this round. */
export function failing(round: HealthRound): CheckResult[] {
  return round.results.filter((r) => r.state === 'fail');
}
