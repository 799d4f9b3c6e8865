/**
 * The public API of the Vault test server (`test/support/vault/server.ts`, `startVaultServer`).
 * Everything else in the test suite drives Vault only through this and HTTP.
 */

export type VaultFlavor = 'vault' | 'openbao';

export interface VaultServerOptions {
  /** `vault` (default) answers like Vault 1.19+, `openbao` like OpenBao 2.6 (reference §11). */
  flavor?: VaultFlavor;
  /** Initial state; default: initialised, unsealed, active, raft storage. */
  initialized?: boolean;
  sealed?: boolean;
  /** Shamir shares / threshold for unseal and rekey; default 5 / 3. */
  shares?: number;
  threshold?: number;
  /** Root token; default a fresh `hvs.` token. */
  rootToken?: string;
  /** Size in bytes of the `state.bin` member of generated snapshots; default 64 KiB. */
  snapshotSize?: number;
  /** Cluster identity whose keys sign snapshots (`SHA256SUMS.sealed`); default random. Two servers with the same clusterKey accept each other's snapshots without -force. */
  clusterKey?: string;
  version?: string;
  /** gzip level (0–9) of generated snapshots; default 1. The random filler is always sent as stored blocks. */
  gzipLevel?: number;
  /** `telemetry.prometheus_retention_time` configured; default true. False → `sys/metrics?format=prometheus` answers 400. */
  prometheusEnabled?: boolean;
  /** `telemetry.unauthenticated_metrics_access`; default false. */
  unauthenticatedMetrics?: boolean;
  /** OpenBao listener `disable_unauthed_rekey_endpoints`; default true (rekey answers 405). Ignored for `vault`. */
  disableUnauthedRekey?: boolean;
  /** Seal the node after restoring a snapshot signed with another cluster key (Shamir keyring mismatch); default false. */
  sealOnForeignRestore?: boolean;
  /** Mounts (e.g. `kv/`) that `sys/internal/ui/mounts/<path>` reports as KV version 1; `secret/` is always KV v2. */
  kvV1Mounts?: string[];
}

/** Faults a test can switch on and off at any time. */
export interface VaultFaults {
  /** Added latency on every request, ms. */
  latencyMs?: number;
  /** Answer this status with `{"errors":[message]}` on every request whose path (without `/v1/`) starts with a prefix here. */
  failPaths?: Record<string, { status: number; message?: string }>;
  /** The snapshot stream sends headers and `hangAfterBytes` bytes, then stops sending (keeps the socket open). */
  snapshotHangAfterBytes?: number;
  /** The snapshot stream sends `truncateAfterBytes` bytes, then destroys the socket. */
  snapshotTruncateAfterBytes?: number;
  /**
   * This node is a standby: `sys/health` 429, snapshot paths answer 307 to `activeAddr`, seal 500.
   * `activeAddr: ''`: no active node to forward to (HA quorum lost): health 474 (Vault), logical requests 500.
   */
  standby?: { activeAddr: string };
  /** With `standby`: the node is a Vault Enterprise performance standby (`sys/health` 473 unless `perfstandbyok`, `performance_standby: true`). Ignored for `openbao`. */
  performanceStandby?: boolean;
  /** Raft autopilot reports unhealthy. */
  autopilotUnhealthy?: boolean;
  /** Requests whose path (without `/v1/`) starts with a prefix here are never answered (the socket stays open until `stop()`). */
  hangPaths?: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/sys/health?standbyok=true`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Body size in bytes (snapshot restores are not kept in memory, only hashed). */
  bodyBytes: number;
  /** sha256 hex of the body. */
  bodySha256: string;
  /** Body as text when it is small JSON (< 64 KiB), else undefined. */
  bodyText?: string;
  status: number;
  time: number;
  /** `X-Vault-Namespace`, when sent. */
  namespace?: string;
}

export interface RestoredSnapshot {
  /** sha256 hex of the exact bytes posted to `sys/storage/raft/snapshot[-force]`. */
  sha256: string;
  bytes: number;
  force: boolean;
  time: number;
}

export interface VaultTestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly rootToken: string;
  readonly flavor: VaultFlavor;
  /** Current state, mutable by tests. */
  readonly state: {
    initialized: boolean;
    sealed: boolean;
    unsealProgress: number;
  };
  faults: VaultFaults;
  readonly requests: RecordedRequest[];
  /** Every snapshot accepted by a restore, in order. */
  readonly restores: RestoredSnapshot[];

  /** Create a token with these policies' capabilities ("path": ["read", …]); `ttl` seconds; renewable. */
  createToken(opts: { policies: Record<string, string[]>; ttl?: number; renewable?: boolean; maxTtl?: number }): string;
  /** Enable AppRole at `auth/approle` with one role; returns its credentials. The issued tokens get `policies`. */
  createAppRole(opts: { roleName: string; policies: Record<string, string[]>; tokenTtl?: number; tokenMaxTtl?: number }): { roleId: string; secretId: string };
  /** Write a KV v2 secret directly (mount `secret/` exists by default). */
  putSecret(path: string, data: Record<string, unknown>): void;
  /** The unseal key shares (hex) matching the current barrier. */
  unsealKeys(): string[];
  /** Produce a snapshot exactly as `GET sys/storage/raft/snapshot` would (for building fixtures). */
  snapshotBytes(): Promise<Buffer>;
  stop(): Promise<void>;
}
