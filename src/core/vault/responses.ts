/**
 * @module vault/responses
 * Vault's JSON bodies → the typed shapes in types.ts. Tolerant of missing fields (OpenBao omits
 * several), strict about nothing: the types promise presence, these functions supply defaults.
 */
import type { AutopilotServer, AutopilotState, KvWriteResult, RekeyStatus, VaultLeader, VaultSealStatus } from './types.js';

export function toSealStatus(body: unknown): VaultSealStatus {
  const b = record(body);
  return {
    type: str(b.type),
    initialized: b.initialized === true,
    sealed: b.sealed === true,
    t: num(b.t),
    n: num(b.n),
    progress: num(b.progress),
    nonce: str(b.nonce),
    version: str(b.version),
    ...optionalStr('clusterName', b.cluster_name),
    ...optionalStr('clusterId', b.cluster_id),
    ...optionalStr('storageType', b.storage_type),
  };
}

export function toLeader(body: unknown): VaultLeader {
  const b = record(body);
  const activeTime = str(b.active_time);
  return {
    haEnabled: b.ha_enabled === true,
    isSelf: b.is_self === true,
    // Vault sends Go's zero time for "never active"; OpenBao omits the field.
    ...(activeTime && !activeTime.startsWith('0001-01-01') ? { activeTime } : {}),
    leaderAddress: str(b.leader_address),
    leaderClusterAddress: str(b.leader_cluster_address),
    performanceStandby: b.performance_standby === true,
    ...(typeof b.raft_committed_index === 'number' ? { raftCommittedIndex: b.raft_committed_index } : {}),
    ...(typeof b.raft_applied_index === 'number' ? { raftAppliedIndex: b.raft_applied_index } : {}),
  };
}

export function toAutopilotState(body: unknown): AutopilotState {
  const d = record(record(body).data);
  const servers: Record<string, AutopilotServer> = {};
  for (const [id, raw] of Object.entries(record(d.servers))) {
    const s = record(raw);
    servers[id] = {
      id: str(s.id) || id,
      name: str(s.name),
      address: str(s.address),
      nodeStatus: str(s.node_status),
      lastContact: str(s.last_contact),
      healthy: s.healthy === true,
      status: str(s.status),
      ...optionalStr('version', s.version),
    };
  }
  return {
    healthy: d.healthy === true,
    failureTolerance: num(d.failure_tolerance),
    leader: str(d.leader),
    voters: strings(d.voters),
    nonVoters: strings(d.non_voters),
    servers,
  };
}

export function toRekeyStatus(body: unknown): RekeyStatus {
  const b = record(body);
  return {
    nonce: str(b.nonce),
    started: b.started === true,
    t: num(b.t),
    n: num(b.n),
    progress: num(b.progress),
    required: num(b.required),
    backup: b.backup === true,
    verificationRequired: b.verification_required === true,
  };
}

export function toKvWriteResult(body: unknown): KvWriteResult {
  const d = record(record(body).data);
  return { version: num(d.version), createdTime: str(d.created_time) };
}

/** The object itself, or `{}` for anything that is not a plain object. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function optionalStr<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}
