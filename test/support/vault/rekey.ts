/**
 * @module rekey `sys/rekey/init|update|verify` (§5). Raw JSON bodies, no token in Vault 1.x, a token
 * from Vault 2.0 on (CVE-2026-5807); OpenBao answers 405 `unsupported operation` unless its
 * `disable_unauthed_rekey_endpoints` is turned off. Completing a rekey replaces the unseal shares.
 */
import { randomUUID } from 'node:crypto';
import { authorize, capabilityForMethod, requireToken } from './auth.js';
import { decodeKey, keyLengthError, validateSealConfig } from './health.js';
import { SEALED, VaultError, parseWriteBody, sendEnvelope, sendErrors, sendJson, sendNoContent, type Ctx } from './http.js';
import { newKeyShares, type RekeyOperation, type TokenEntry, type VaultCore } from './state.js';

/** How a body is sent: raw JSON on `sys/rekey/*`, inside the envelope's `data` on OpenBao's `sys/rotate/root/*`. */
type Reply = (ctx: Ctx, status: number, body: Record<string, unknown>) => void;
const rawReply: Reply = (ctx, status, body) => sendJson(ctx, status, body);
const envelopeReply: Reply = (ctx, status, body) => sendEnvelope(ctx, { mountType: 'system', data: body }, status);

function statusBody(core: VaultCore): Record<string, unknown> {
  const op = core.rekey;
  const body: Record<string, unknown> = {
    nonce: op?.nonce ?? '',
    started: op !== null,
    t: op?.threshold ?? 0,
    n: op?.shares ?? 0,
    progress: op?.given.length ?? 0,
    required: core.logical.barrier.threshold,
    pgp_fingerprints: null,
    backup: false,
    verification_required: op?.requireVerification ?? false,
  };
  if (op?.verification) body.verification_nonce = op.verification.nonce;
  return body;
}

function majorVersion(v: string): number {
  return Number.parseInt(v.split('.')[0] ?? '0', 10) || 0;
}

export function handleRekey(ctx: Ctx): void {
  const core = ctx.core;
  if (core.flavor === 'openbao' && core.options.disableUnauthedRekey) {
    throw new VaultError(405, ['unsupported operation']);
  }
  if (core.flavor === 'vault' && majorVersion(core.version) >= 2) {
    if (core.unavailable) throw new VaultError(503, [SEALED]);
    authorize(requireToken(ctx), ctx.path, capabilityForMethod(ctx.method));
  }
  const sub = ctx.path.slice('sys/rekey/'.length);
  if (sub === 'init') return rekeyInit(ctx, rawReply);
  if (sub === 'update') return rekeyUpdate(ctx, rawReply);
  if (sub === 'verify') return rekeyVerify(ctx, rawReply);
  sendErrors(ctx, 404, []);
}

/**
 * OpenBao 2.4+'s authenticated replacement (reference §11): `sys/rotate/root/{init,update,verify}`,
 * the same operation and fields as `sys/rekey/*`, inside the envelope's `data`. The caller (the
 * logical router) has checked seal state and resolved the token; the ACL applies as on any path.
 */
export function handleRotateRoot(ctx: Ctx, token: TokenEntry): void {
  authorize(token, ctx.path, capabilityForMethod(ctx.method));
  const sub = ctx.path.slice('sys/rotate/root/'.length);
  if (sub === 'init') return rekeyInit(ctx, envelopeReply);
  if (sub === 'update') return rekeyUpdate(ctx, envelopeReply);
  if (sub === 'verify') return rekeyVerify(ctx, envelopeReply);
  throw new VaultError(404, ['unsupported path']);
}

function rekeyInit(ctx: Ctx, reply: Reply): void {
  const core = ctx.core;
  switch (ctx.method) {
    case 'GET':
      if (!core.state.initialized) throw new VaultError(400, ['server is not yet initialized']);
      if (core.state.sealed) throw new VaultError(503, [SEALED]);
      return reply(ctx, 200, statusBody(core));
    case 'PUT':
    case 'POST': {
      if (core.unavailable) throw new VaultError(503, [SEALED]);
      const body = parseWriteBody(ctx);
      const shares = Number(body.secret_shares ?? 0);
      const threshold = Number(body.secret_threshold ?? 0);
      const pgp = Array.isArray(body.pgp_keys) ? body.pgp_keys : [];
      if (body.backup === true && pgp.length === 0) {
        throw new VaultError(400, ['cannot request a backup of the new keys without providing PGP keys for encryption']);
      }
      if (pgp.length > 0 && pgp.length !== shares) throw new VaultError(400, ['incorrect number of PGP keys for rekey']);
      if (pgp.length > 0) throw new VaultError(400, ['the test server cannot PGP-encrypt key shares']);
      const invalid = validateSealConfig(shares, threshold);
      if (invalid) throw new VaultError(500, [`invalid rekey seal configuration: ${invalid}`]);
      if (core.rekey) throw new VaultError(400, ['rekey already in progress']);
      core.rekey = {
        nonce: randomUUID(),
        shares,
        threshold,
        given: [],
        requireVerification: body.require_verification === true,
      };
      return reply(ctx, 200, statusBody(core));
    }
    case 'DELETE':
      if (core.unavailable) throw new VaultError(503, [SEALED]);
      core.rekey = null;
      return sendNoContent(ctx);
    default:
      return sendErrors(ctx, 405, []);
  }
}

function readKey(ctx: Ctx): { key: string; nonce: string } {
  const body = parseWriteBody(ctx);
  const keyText = typeof body.key === 'string' ? body.key : '';
  if (keyText === '') throw new VaultError(400, ["'key' must be specified in request body as JSON"]);
  const key = decodeKey(keyText);
  if (!key) throw new VaultError(400, ["'key' must be a valid hex or base64 string"]);
  const lenErr = keyLengthError(key);
  if (lenErr) throw new VaultError(400, [lenErr.replace(/^invalid key: /, '')]);
  return { key: key.toString('hex'), nonce: typeof body.nonce === 'string' ? body.nonce : '' };
}

function rekeyUpdate(ctx: Ctx, reply: Reply): void {
  if (ctx.method !== 'PUT' && ctx.method !== 'POST') return sendErrors(ctx, 405, []);
  const core = ctx.core;
  const { key, nonce } = readKey(ctx);
  if (core.unavailable) throw new VaultError(503, [SEALED]);
  const op = core.rekey;
  if (!op) throw new VaultError(400, ['no barrier rekey in progress']);
  if (op.verification) throw new VaultError(400, ['rekey verification in progress']);
  if (nonce !== op.nonce) {
    throw new VaultError(400, [`incorrect nonce supplied; nonce for this rekey operation is "${op.nonce}"`]);
  }
  if (op.given.includes(key)) {
    throw new VaultError(400, ['given key has already been provided during this generation operation']);
  }
  op.given.push(key);
  const barrier = core.logical.barrier;
  if (op.given.length < barrier.threshold) return reply(ctx, 200, statusBody(core));

  const genuine = op.given.every((k) => barrier.keys.includes(k));
  op.given = [];
  if (!genuine) {
    throw new VaultError(400, ['root key verification failed: cipher: message authentication failed']);
  }
  const keys = newKeyShares(op.shares);
  const body: Record<string, unknown> = {
    nonce: op.nonce,
    complete: true,
    keys,
    keys_base64: keys.map((k) => Buffer.from(k, 'hex').toString('base64')),
    pgp_fingerprints: null,
    backup: false,
    verification_required: op.requireVerification,
  };
  if (op.requireVerification) {
    op.verification = { nonce: randomUUID(), keys, given: [] };
    body.verification_nonce = op.verification.nonce;
  } else {
    applyKeys(core, keys, op.threshold);
  }
  reply(ctx, 200, body);
}

function applyKeys(core: VaultCore, keys: string[], threshold: number): void {
  core.logical.barrier = { ...core.logical.barrier, keys, threshold };
  core.rekey = null;
  core.bumpIndex();
}

function rekeyVerify(ctx: Ctx, reply: Reply): void {
  const core = ctx.core;
  if (core.unavailable) throw new VaultError(503, [SEALED]);
  const op = core.rekey;
  const verification = op?.verification;
  if (ctx.method === 'GET') {
    if (!op || !verification) throw new VaultError(400, ['no rekey configuration found']);
    return reply(ctx, 200, verifyStatus(op, verification));
  }
  if (ctx.method === 'DELETE') {
    if (op && verification) {
      verification.given = [];
      verification.nonce = randomUUID();
    }
    return sendNoContent(ctx);
  }
  if (ctx.method !== 'PUT' && ctx.method !== 'POST') return sendErrors(ctx, 405, []);
  const { key, nonce } = readKey(ctx);
  if (!op || !verification) throw new VaultError(400, ['no rekey configuration found']);
  if (nonce !== verification.nonce) {
    throw new VaultError(400, [`incorrect nonce supplied; nonce for this verify operation is "${verification.nonce}"`]);
  }
  if (verification.given.includes(key)) {
    throw new VaultError(400, ['given key has already been provided during this verify operation']);
  }
  verification.given.push(key);
  if (verification.given.length < op.threshold) {
    return reply(ctx, 200, verifyStatus(op, verification));
  }
  const ok = verification.given.every((k) => verification.keys.includes(k));
  if (!ok) {
    verification.given = [];
    throw new VaultError(400, ['failed to verify new keys: cipher: message authentication failed']);
  }
  const doneNonce = verification.nonce;
  applyKeys(core, verification.keys, op.threshold);
  reply(ctx, 200, { nonce: doneNonce, complete: true });
}

/** The `sys/rekey/verify` status body: the new threshold and shares, and the keys given so far. */
function verifyStatus(op: RekeyOperation, verification: NonNullable<RekeyOperation['verification']>): Record<string, unknown> {
  return { nonce: verification.nonce, started: true, t: op.threshold, n: op.shares, progress: verification.given.length };
}
