/**
 * @module state The fake node's state. `LogicalState` is everything a raft snapshot carries (KV,
 * tokens, AppRoles and the barrier: unseal keys, cluster key and identity), so a restore can swap
 * it wholesale; `VaultCore` adds the per-node runtime state (seal progress, rekey, faults, logs).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  RecordedRequest,
  RestoredSnapshot,
  VaultFaults,
  VaultFlavor,
  VaultServerOptions,
} from './types.js';

export interface KvVersion {
  data: Record<string, unknown> | null;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

export interface KvSecret {
  versions: Record<string, KvVersion>;
  currentVersion: number;
  oldestVersion: number;
  createdTime: string;
  updatedTime: string;
  maxVersions: number;
  casRequired: boolean;
  customMetadata: Record<string, string> | null;
}

export interface TokenEntry {
  id: string;
  accessor: string;
  /** Policy names as reported (`default` plus one named policy, or `root`). */
  policies: string[];
  /** Path → capabilities; `null` means root (everything). */
  acl: Record<string, string[]> | null;
  displayName: string;
  path: string;
  meta: Record<string, string> | null;
  /** Unix ms. */
  creationTime: number;
  /** Seconds; 0 = never expires. */
  creationTtl: number;
  explicitMaxTtl: number;
  renewable: boolean;
  /** Unix ms, or null for no expiry. */
  expireAt: number | null;
  lastRenewal: number | null;
  orphan: boolean;
  role?: string;
}

export interface AppRoleEntry {
  roleName: string;
  roleId: string;
  secretIds: string[];
  policies: Record<string, string[]>;
  tokenTtl: number;
  tokenMaxTtl: number;
}

export interface Barrier {
  /** Unseal key shares, hex. */
  keys: string[];
  threshold: number;
  clusterKey: string;
  clusterId: string;
  clusterName: string;
}

/** What a snapshot carries. Plain JSON so it can be serialised into `state.bin`. */
export interface LogicalState {
  kv: Record<string, KvSecret>;
  tokens: Record<string, TokenEntry>;
  approles: Record<string, AppRoleEntry>;
  approleEnabled: boolean;
  barrier: Barrier;
  raftIndex: number;
  raftTerm: number;
}

export interface RekeyOperation {
  nonce: string;
  shares: number;
  threshold: number;
  given: string[];
  requireVerification: boolean;
  /** Set once the old shares are complete and verification is still pending. */
  verification?: { nonce: string; keys: string[]; given: string[] };
}

export const DEFAULT_TTL = 2_764_800;
/** The token store's system max TTL (768h), the cap when no explicit max is set. */
export const SYSTEM_MAX_TTL = 2_764_800;
/** Shamir shares carry one extra byte (the x coordinate) on top of the 32-byte key. */
export const KEY_BYTES = 32;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

export function newServiceToken(): string {
  return `hvs.${randomString(24)}`;
}

/** RFC 3339 UTC with sub-second digits, trailing zeros trimmed as Go's RFC3339Nano does. */
export function rfc3339Nano(ms: number = Date.now()): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
  const sub = String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0');
  const frac = `${iso.slice(20, 23)}${sub}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

/** RFC 3339 without fractions (Go's time.Time for second-precision values). */
export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function newKeyShares(shares: number): string[] {
  // A single share is the key itself; split keys carry the x-coordinate byte.
  const len = shares === 1 ? KEY_BYTES : KEY_BYTES + 1;
  return Array.from({ length: shares }, () => randomBytes(len).toString('hex'));
}

export function newBarrier(shares: number, threshold: number, clusterKey?: string): Barrier {
  return {
    keys: newKeyShares(shares),
    threshold,
    clusterKey: clusterKey ?? randomBytes(32).toString('hex'),
    clusterId: randomUUID(),
    clusterName: `vault-cluster-${randomBytes(4).toString('hex')}`,
  };
}

export function tokenTtlRemaining(t: TokenEntry, now: number): number {
  if (t.expireAt === null) return 0;
  return Math.max(0, Math.ceil((t.expireAt - now) / 1000));
}

export interface CoreOptions extends Required<Pick<VaultServerOptions, 'flavor'>> {
  version: string;
  snapshotSize: number;
  gzipLevel: number;
  prometheusEnabled: boolean;
  unauthenticatedMetrics: boolean;
  disableUnauthedRekey: boolean;
  sealOnForeignRestore: boolean;
  kvV1Mounts: string[];
}

export class VaultCore {
  readonly flavor: VaultFlavor;
  readonly version: string;
  readonly buildDate = '2025-03-04T17:09:27Z';
  readonly options: CoreOptions;
  readonly state: { initialized: boolean; sealed: boolean; unsealProgress: number };
  logical: LogicalState;
  rootToken: string;
  faults: VaultFaults = {};
  readonly requests: RecordedRequest[] = [];
  readonly restores: RestoredSnapshot[] = [];
  url = '';
  unseal: { nonce: string; given: string[] } = { nonce: '', given: [] };
  rekey: RekeyOperation | null = null;
  /** When this node last became active (unsealed), Unix ms. */
  activeSince = Date.now();
  /** HA mode (ha-cluster.ts): every raft server, for raft configuration and autopilot; unset → one node. */
  raftPeers: (() => Array<{ id: string; address: string; leader: boolean; alive: boolean }>) | undefined;
  readonly startedAt = Date.now();
  /** Counters for `sys/metrics`. */
  readonly counters = { requests: 0, snapshotsServed: 0, restores: 0, logins: 0 };

  constructor(opts: VaultServerOptions, core: CoreOptions) {
    this.options = core;
    this.flavor = core.flavor;
    this.version = core.version;
    const shares = opts.shares ?? 5;
    const threshold = opts.threshold ?? 3;
    this.rootToken = opts.rootToken ?? newServiceToken();
    this.logical = {
      kv: {},
      tokens: {},
      approles: {},
      approleEnabled: false,
      barrier: newBarrier(shares, threshold, opts.clusterKey),
      raftIndex: 40,
      raftTerm: 2,
    };
    this.addRootToken(this.rootToken);
    const initialized = opts.initialized ?? true;
    this.state = { initialized, sealed: !initialized || (opts.sealed ?? false), unsealProgress: 0 };
  }

  /** Sealed or not initialised: everything authenticated answers 503. */
  get unavailable(): boolean {
    return this.state.sealed || !this.state.initialized;
  }

  get standby(): boolean {
    return this.faults.standby !== undefined;
  }

  /** A root token as `vault operator init` issues it: every capability, no TTL, not renewable. */
  addRootToken(id: string): void {
    this.addToken({
      id,
      accessor: randomString(24),
      policies: ['root'],
      acl: null,
      displayName: 'root',
      path: 'auth/token/root',
      meta: null,
      creationTime: Date.now(),
      creationTtl: 0,
      explicitMaxTtl: 0,
      renewable: false,
      expireAt: null,
      lastRenewal: null,
      orphan: true,
    });
  }

  addToken(t: TokenEntry): void {
    this.logical.tokens[t.id] = t;
    this.bumpIndex();
  }

  /** A live token, or undefined if unknown/expired (expired ones are reaped like the expiration manager does). */
  lookupToken(id: string, now = Date.now()): TokenEntry | undefined {
    const t = this.logical.tokens[id];
    if (!t) return undefined;
    if (t.expireAt !== null && t.expireAt <= now) {
      delete this.logical.tokens[id];
      return undefined;
    }
    return t;
  }

  bumpIndex(): void {
    this.logical.raftIndex += 1;
  }

  sealNow(): void {
    this.state.sealed = true;
    this.resetUnseal();
    this.rekey = null;
  }

  resetUnseal(): void {
    this.unseal = { nonce: '', given: [] };
    this.state.unsealProgress = 0;
  }
}
