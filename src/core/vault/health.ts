/**
 * @module vault/health
 * Turns a `sys/health` answer into a VaultHealth. Vault sends the JSON body with every status code;
 * OpenBao sends fewer fields and only 200/429/501/503 (reference §2, §11).
 */
import type { VaultHealth, VaultNodeState } from './types.js';

/** Parses the body of `GET sys/health`; undefined when it is not a health body (e.g. a 500 `{"errors":[]}`). */
export function parseHealth(code: number, body: unknown, latencyMs: number): VaultHealth | undefined {
  if (!isRecord(body) || typeof body.initialized !== 'boolean' || typeof body.sealed !== 'boolean') return undefined;
  const health: VaultHealth = {
    code,
    state: 'unknown',
    initialized: body.initialized,
    sealed: body.sealed,
    standby: body.standby === true,
    performanceStandby: body.performance_standby === true,
    version: typeof body.version === 'string' ? body.version : '',
    latencyMs,
  };
  if (typeof body.replication_dr_mode === 'string') health.replicationDrMode = body.replication_dr_mode;
  if (typeof body.cluster_name === 'string' && body.cluster_name) health.clusterName = body.cluster_name;
  if (typeof body.cluster_id === 'string' && body.cluster_id) health.clusterId = body.cluster_id;
  if (typeof body.server_time_utc === 'number') health.serverTimeUtc = body.server_time_utc;
  health.state = deriveState(health, body.removed_from_cluster === true);
  return health;
}

/** The node's role; the body decides, the default status codes only break ties. */
export function deriveState(h: Omit<VaultHealth, 'state'>, removed = false): VaultNodeState {
  if (!h.initialized) return 'uninitialized';
  if (h.sealed) return 'sealed';
  if (removed) return 'unknown';
  if (h.code === 472 || (h.replicationDrMode !== undefined && /secondary/.test(h.replicationDrMode))) return 'dr-secondary';
  if (h.performanceStandby || h.code === 473) return 'perf-standby';
  if (h.standby) return 'standby';
  if (h.code === 200) return 'active';
  return 'unknown';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
