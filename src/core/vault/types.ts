/**
 * @module vault/types
 * The Vault client's options and the typed answers it returns. Field names follow Vault's JSON
 * (snake_case turned camelCase) so they can be looked up in Vault's API docs.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

export interface VaultAppRoleCredentials {
  roleId: string;
  secretId: string;
  /** Where AppRole is mounted; default `approle` (→ `auth/approle/login`). */
  mount?: string;
}

export interface VaultClientOptions {
  /** e.g. `https://vault.example.com:8200`; a trailing `/` is ignored. */
  addr: string;
  token?: string;
  appRole?: VaultAppRoleCredentials;
  /** Sent as `X-Vault-Namespace` on authenticated requests. */
  namespace?: string;
  /** Path of a PEM bundle trusted in addition to the system CAs. */
  caCert?: string;
  logger?: Logger;
  /** Timeout of each JSON call; default 10 000 ms. */
  requestTimeoutMs?: number;
  /** A snapshot stream that delivers no bytes for this long is aborted; default 60 000 ms. */
  snapshotIdleTimeoutMs?: number;
  clock?: Clock;
}

export type VaultNodeState =
  | 'active'
  | 'standby'
  | 'sealed'
  | 'uninitialized'
  | 'perf-standby'
  | 'dr-secondary'
  | 'unknown';

export interface VaultHealth {
  /** HTTP status of `sys/health` (200 active, 429 standby, 501 uninitialised, 503 sealed…). */
  code: number;
  state: VaultNodeState;
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performanceStandby: boolean;
  replicationDrMode?: string;
  version: string;
  clusterName?: string;
  clusterId?: string;
  serverTimeUtc?: number;
  /** Round trip of the health request, ms. */
  latencyMs: number;
}

export interface VaultSealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  /** Unseal threshold. */
  t: number;
  /** Number of key shares. */
  n: number;
  progress: number;
  nonce: string;
  version: string;
  clusterName?: string;
  clusterId?: string;
  storageType?: string;
}

export interface VaultLeader {
  haEnabled: boolean;
  isSelf: boolean;
  /** Absent (not the zero time) when the node has never been active. */
  activeTime?: string;
  leaderAddress: string;
  leaderClusterAddress: string;
  performanceStandby: boolean;
  raftCommittedIndex?: number;
  raftAppliedIndex?: number;
}

export interface AutopilotServer {
  id: string;
  name: string;
  address: string;
  nodeStatus: string;
  lastContact: string;
  healthy: boolean;
  status: string;
  version?: string;
}

export interface AutopilotState {
  healthy: boolean;
  failureTolerance: number;
  leader: string;
  voters: string[];
  nonVoters: string[];
  servers: Record<string, AutopilotServer>;
}

export interface RekeyStatus {
  nonce: string;
  started: boolean;
  /** The new threshold / shares (0 when no rekey runs). */
  t: number;
  n: number;
  progress: number;
  /** Shares of the current key needed to finish. */
  required: number;
  backup: boolean;
  verificationRequired: boolean;
}

export interface KvWriteResult {
  version: number;
  createdTime: string;
}

/** What a KV v2 secret's metadata says about its current version. */
export interface KvMetadata {
  currentVersion: number;
  /** The current version is soft-deleted or destroyed. */
  currentDeleted: boolean;
  casRequired: boolean;
}

/** `sys/internal/ui/mounts/<path>`: the mount serving a path, e.g. `{path: 'secret/', type: 'kv', version: '2'}`. */
export interface MountInfo {
  path: string;
  type: string;
  version?: string;
}

/** What the client knows about its token; never the token itself. */
export interface VaultTokenInfo {
  /** Seconds left when last learned; 0 = never expires (root). */
  ttlSeconds: number;
  renewable: boolean;
  /** When the token expires, undefined if never. */
  expiresAt?: Date;
  source: 'token' | 'approle';
}

export interface VaultClientEvents {
  /** A login (AppRole) or token lookup succeeded. */
  login: [VaultTokenInfo];
  /** renew-self extended the token. */
  renewed: [VaultTokenInfo];
  /** A renewal or re-login failed; it will be retried. */
  renewalFailed: [Error];
}

export interface RestoreOptions {
  /** Use `snapshot-force`: needed for a snapshot taken on another cluster (other unseal keys). */
  force: boolean;
  /** How long to wait for the answer, which Vault sends after installing the snapshot; default the snapshot idle timeout. */
  timeoutMs?: number;
}
