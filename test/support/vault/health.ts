/**
 * @module health The raw sys endpoints a node always answers itself (§2–§3): `sys/health`,
 * `sys/seal-status`, `sys/unseal`, `sys/seal`, `sys/leader`, plus `sys/init`. Bodies are Go structs
 * in Vault, so field order is fixed; OpenBao's trimmed variants follow §11.
 */
import { randomUUID } from 'node:crypto';
import { allowed, requireToken } from './auth.js';
import {
  ACL_DENIED,
  SEALED,
  VaultError,
  parseBool,
  parseWriteBody,
  sendErrors,
  sendJson,
  sendNoContent,
  type Ctx,
} from './http.js';
import { KEY_BYTES, newBarrier, newServiceToken, randomString, type VaultCore } from './state.js';

const VAULT_HEALTH_CODES = [
  'activecode',
  'standbycode',
  'drsecondarycode',
  'performancestandbycode',
  'haunhealthycode',
  'removedcode',
  'sealedcode',
  'uninitcode',
] as const;
const OPENBAO_HEALTH_CODES = ['activecode', 'standbycode', 'sealedcode', 'uninitcode'] as const;

const DEFAULT_CODES: Record<string, number> = {
  activecode: 200,
  standbycode: 429,
  drsecondarycode: 472,
  performancestandbycode: 473,
  haunhealthycode: 474,
  removedcode: 530,
  sealedcode: 503,
  uninitcode: 501,
};

function methodNotAllowed(ctx: Ctx): void {
  sendErrors(ctx, 405, []);
}

export function handleHealth(ctx: Ctx): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx);
  const core = ctx.core;
  const codes = { ...DEFAULT_CODES };
  const flags = { standbyok: false, perfstandbyok: false };
  for (const name of ['standbyok', 'perfstandbyok'] as const) {
    const raw = ctx.query.get(name);
    if (raw === null) continue;
    const v = parseBool(raw);
    if (v === undefined) return sendErrors(ctx, 400, []);
    flags[name] = v;
  }
  const known = core.flavor === 'vault' ? VAULT_HEALTH_CODES : OPENBAO_HEALTH_CODES;
  for (const name of known) {
    const raw = ctx.query.get(name);
    if (raw === null) continue;
    // Go's strconv.Atoi; Node additionally cannot send codes outside 100–999.
    if (!/^[+-]?\d+$/.test(raw)) return sendErrors(ctx, 400, []);
    const code = Number(raw);
    if (code < 100 || code > 999) return sendErrors(ctx, 400, []);
    codes[name] = code;
  }

  const { initialized, sealed } = core.state;
  const standby = core.standby;
  // A standby with no active node to heartbeat to (HA mode, quorum lost): Vault 1.19+ answers 474.
  const haUnhealthy = standby && core.faults.standby?.activeAddr === '';
  let status: number;
  if (!initialized) status = codes.uninitcode ?? 501;
  else if (sealed) status = codes.sealedcode ?? 503;
  else if (haUnhealthy && core.flavor === 'vault') status = codes.haunhealthycode ?? 474;
  else if (standby && core.faults.performanceStandby === true && core.flavor === 'vault' && !flags.perfstandbyok) status = codes.performancestandbycode ?? 473;
  else if (standby && !flags.standbyok) status = codes.standbycode ?? 429;
  else status = codes.activecode ?? 200;

  const unsealed = initialized && !sealed;
  const serverTime = Math.floor(Date.now() / 1000);
  let body: Record<string, unknown>;
  if (core.flavor === 'openbao') {
    body = {
      initialized,
      sealed: !unsealed,
      standby: !unsealed || standby,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: serverTime,
      version: core.version,
    };
    if (unsealed) {
      body.cluster_name = core.logical.barrier.clusterName;
      body.cluster_id = core.logical.barrier.clusterId;
    }
  } else {
    body = {
      initialized,
      sealed: !unsealed,
      standby: !unsealed || standby,
      performance_standby: unsealed && standby && core.faults.performanceStandby === true,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: serverTime,
      version: core.version,
      enterprise: false,
    };
    if (unsealed) {
      body.cluster_name = core.logical.barrier.clusterName;
      body.cluster_id = core.logical.barrier.clusterId;
    }
    body.echo_duration_ms = 0;
    body.clock_skew_ms = 0;
    body.replication_primary_canary_age_ms = 0;
    body.removed_from_cluster = false;
    if (unsealed && standby) {
      body.ha_connection_healthy = !haUnhealthy;
      body.last_request_forwarding_heartbeat_ms = 3;
    }
  }
  sendJson(ctx, status, body);
}

export function sealStatusBody(core: VaultCore): Record<string, unknown> {
  const { initialized } = core.state;
  const unsealed = initialized && !core.state.sealed;
  const b = core.logical.barrier;
  const body: Record<string, unknown> = {
    type: 'shamir',
    initialized,
    sealed: !unsealed,
    t: initialized ? b.threshold : 0,
    n: initialized ? b.keys.length : 0,
    progress: core.unseal.given.length,
    nonce: core.unseal.nonce,
    version: core.version,
  };
  if (core.flavor === 'openbao') body.commit_date = core.buildDate;
  else body.build_date = core.buildDate;
  body.migration = false;
  if (unsealed) {
    body.cluster_name = b.clusterName;
    body.cluster_id = b.clusterId;
  }
  body.recovery_seal = false;
  body.storage_type = 'raft';
  if (core.flavor === 'vault') body.removed_from_cluster = false;
  return body;
}

export function handleSealStatus(ctx: Ctx): void {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx);
  sendJson(ctx, 200, sealStatusBody(ctx.core));
}

/** Hex first, then base64, as Vault's handler tries them. */
export function decodeKey(key: string): Buffer | undefined {
  if (/^[0-9a-fA-F]*$/.test(key) && key.length % 2 === 0) return Buffer.from(key, 'hex');
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(key) && key.length % 4 === 0) return Buffer.from(key, 'base64');
  return undefined;
}

export function keyLengthError(key: Buffer): string | undefined {
  if (key.length < 16) return 'invalid key: key is shorter than minimum 16 bytes';
  if (key.length > KEY_BYTES + 1) return `invalid key: key is longer than maximum ${KEY_BYTES + 1} bytes`;
  return undefined;
}

export function handleUnseal(ctx: Ctx): void {
  if (ctx.method !== 'PUT' && ctx.method !== 'POST') return methodNotAllowed(ctx);
  const core = ctx.core;
  const body = parseWriteBody(ctx);
  const reset = body.reset === true || body.reset === 'true';
  if (reset) {
    if (core.state.initialized && !core.state.sealed) throw new VaultError(400, ['vault is unsealed']);
    core.resetUnseal();
    return sendJson(ctx, 200, sealStatusBody(core));
  }
  const keyText = typeof body.key === 'string' ? body.key : '';
  if (keyText === '') {
    throw new VaultError(400, ["'key' must be specified in request body as JSON, or 'reset' set to true"]);
  }
  const key = decodeKey(keyText);
  if (!key) throw new VaultError(400, ["'key' must be a valid hex or base64 string"]);
  const lenErr = keyLengthError(key);
  if (lenErr) throw new VaultError(400, [lenErr]);
  if (!core.state.initialized) throw new VaultError(400, ['Vault is not initialized']);
  if (!core.state.sealed) return sendJson(ctx, 200, sealStatusBody(core));

  const hex = key.toString('hex');
  if (core.unseal.given.length === 0) core.unseal.nonce = randomUUID();
  if (!core.unseal.given.includes(hex)) core.unseal.given.push(hex);
  core.state.unsealProgress = core.unseal.given.length;
  const b = core.logical.barrier;
  if (core.unseal.given.length >= b.threshold) {
    // Any threshold of distinct genuine shares reconstructs the key, like Shamir; anything else fails to decrypt.
    const ok = core.unseal.given.every((k) => b.keys.includes(k));
    core.resetUnseal();
    if (!ok) {
      throw new VaultError(500, [
        'unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed',
      ]);
    }
    core.state.sealed = false;
    core.activeSince = Date.now();
  }
  sendJson(ctx, 200, sealStatusBody(core));
}

export function handleSeal(ctx: Ctx): void {
  if (ctx.method !== 'PUT' && ctx.method !== 'POST') return methodNotAllowed(ctx);
  const core = ctx.core;
  if (core.unavailable) return sendNoContent(ctx);
  if (core.standby) throw new VaultError(500, ['vault cannot seal when in standby mode; please restart instead']);
  const token = requireToken(ctx);
  if (!allowed(token, 'sys/seal', 'update', 'sudo')) throw new VaultError(403, [ACL_DENIED]);
  core.sealNow();
  sendNoContent(ctx);
}

function clusterAddress(apiAddr: string): string {
  try {
    const u = new URL(apiAddr);
    return `https://${u.hostname}:8201`;
  } catch {
    return '';
  }
}

export function handleLeader(ctx: Ctx): void {
  if (ctx.method !== 'GET') return methodNotAllowed(ctx);
  const core = ctx.core;
  if (core.unavailable) throw new VaultError(503, [SEALED]);
  const standby = core.faults.standby;
  const isSelf = standby === undefined;
  const leaderAddress = isSelf ? core.url : standby.activeAddr;
  const index = core.logical.raftIndex;
  if (core.flavor === 'openbao') {
    const body: Record<string, unknown> = { ha_enabled: true };
    if (isSelf) {
      body.is_self = true;
      body.active_time = new Date(core.activeSince).toISOString();
    }
    body.leader_address = leaderAddress;
    body.leader_cluster_address = clusterAddress(leaderAddress);
    body.raft_committed_index = index;
    body.raft_applied_index = index;
    return sendJson(ctx, 200, body);
  }
  sendJson(ctx, 200, {
    ha_enabled: true,
    is_self: isSelf,
    active_time: isSelf ? new Date(core.activeSince).toISOString() : '0001-01-01T00:00:00Z',
    leader_address: leaderAddress,
    leader_cluster_address: clusterAddress(leaderAddress),
    performance_standby: false,
    performance_standby_last_remote_wal: 0,
    raft_committed_index: index,
    raft_applied_index: index,
  });
}

/** `sys/init`: GET status; PUT initialises an uninitialised node with fresh shares and root token. */
export function handleInit(ctx: Ctx): void {
  const core = ctx.core;
  if (ctx.method === 'GET') return sendJson(ctx, 200, { initialized: core.state.initialized });
  if (ctx.method !== 'PUT' && ctx.method !== 'POST') return methodNotAllowed(ctx);
  if (core.state.initialized) throw new VaultError(400, ['Vault is already initialized']);
  const body = parseWriteBody(ctx);
  const shares = Number(body.secret_shares ?? 0);
  const threshold = Number(body.secret_threshold ?? 0);
  const invalid = validateSealConfig(shares, threshold);
  if (invalid) throw new VaultError(400, [`invalid seal configuration: ${invalid}`]);
  const old = core.logical.barrier;
  core.logical.barrier = { ...newBarrier(shares, threshold, old.clusterKey), clusterName: old.clusterName };
  const root = newServiceToken();
  core.logical.tokens = {};
  core.addRootToken(root);
  core.rootToken = root;
  core.state.initialized = true;
  core.state.sealed = true;
  core.resetUnseal();
  const keys = core.logical.barrier.keys;
  sendJson(ctx, 200, {
    keys,
    keys_base64: keys.map((k) => Buffer.from(k, 'hex').toString('base64')),
    root_token: root,
  });
}

/** Vault's `SealConfig.Validate` messages. */
export function validateSealConfig(shares: number, threshold: number): string | undefined {
  if (!Number.isInteger(shares) || shares < 1) return 'shares must be at least one';
  if (!Number.isInteger(threshold) || threshold < 1) return 'threshold must be at least one';
  if (shares > 1 && threshold === 1) return 'threshold must be greater than one for multiple shares';
  if (shares > 255) return 'shares must be less than 256';
  if (threshold > shares) return 'threshold cannot be larger than shares';
  return undefined;
}
