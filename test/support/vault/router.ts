/**
 * @module router Request pipeline: record → body (buffered, or tapped for restores) → faults →
 * raw sys handlers → logical path checks in Vault's order (§1.3: verb, sealed, standby redirect,
 * token, ACL, route). Unknown mounts: 403 to a caller the ACL denies, 404 "no handler" otherwise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowed, capabilityForMethod, handleAppRoleLogin, handleLookupSelf, handleRenewSelf, requireToken } from './auth.js';
import { LIST_MARKER_HEADER } from './connection.js';
import { BodyTap, EMPTY_SHA256, readBody, smallJsonText } from './body.js';
import { applyHang, applyLatency, checkFailPaths } from './faults.js';
import { handleHealth, handleInit, handleLeader, handleSeal, handleSealStatus, handleUnseal } from './health.js';
import { ACL_DENIED, SEALED, VaultError, parseBool, sendErrors, writeHead, type Ctx } from './http.js';
import { KV_MOUNT, handleKv } from './kv.js';
import { handleMetrics } from './metrics.js';
import { UI_MOUNTS_PREFIX, handleUiMount } from './ui-mounts.js';
import {
  SNAPSHOT_FORCE_PATH,
  SNAPSHOT_PATH,
  handleAutopilotState,
  handleRaftConfiguration,
  handleSnapshotRestore,
  handleSnapshotSave,
} from './raft.js';
import { handleRekey, handleRotateRoot } from './rekey.js';
import { drained } from './snapshot-parse.js';
import type { TokenEntry, VaultCore } from './state.js';
import type { RecordedRequest } from './types.js';

const LOGICAL_VERBS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'LIST', 'PATCH']);

type RawHandler = (ctx: Ctx) => void;
const RAW: Record<string, RawHandler> = {
  'sys/health': handleHealth,
  'sys/seal-status': handleSealStatus,
  'sys/unseal': handleUnseal,
  'sys/seal': handleSeal,
  'sys/leader': handleLeader,
  'sys/init': handleInit,
  'sys/metrics': handleMetrics,
};

function isRestore(method: string, path: string): boolean {
  return (method === 'POST' || method === 'PUT') && (path === SNAPSHOT_PATH || path === SNAPSHOT_FORCE_PATH);
}

export async function handleRequest(core: VaultCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const listVerb = req.headers[LIST_MARKER_HEADER] !== undefined;
  const headers = { ...req.headers };
  delete headers[LIST_MARKER_HEADER];
  const method = listVerb ? 'LIST' : (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://vault.invalid');
  const record: RecordedRequest = {
    method,
    url: req.url ?? '/',
    headers,
    bodyBytes: 0,
    bodySha256: EMPTY_SHA256,
    status: 0,
    time: Date.now(),
  };
  const namespace = req.headers['x-vault-namespace'];
  if (typeof namespace === 'string') record.namespace = namespace;
  core.requests.push(record);
  core.counters.requests += 1;

  const path = url.pathname.startsWith('/v1/') ? safeDecode(url.pathname.slice(4)) : '';
  const ctx: Ctx = { core, req, res, method, path, query: url.searchParams, body: Buffer.alloc(0), record };

  let tap: BodyTap | undefined;
  if (isRestore(method, path)) {
    tap = new BodyTap();
    req.pipe(tap);
    req.on('close', () => {
      if (!req.complete && tap && !tap.destroyed) tap.destroy(new Error('client disconnected'));
    });
    void tap.done.then(({ bytes, sha256 }) => {
      record.bodyBytes = bytes;
      record.bodySha256 = sha256;
    });
  } else {
    const body = await readBody(req);
    ctx.body = body.body;
    record.bodyBytes = body.bytes;
    record.bodySha256 = body.sha256;
    const text = smallJsonText(body.body);
    if (text !== undefined) record.bodyText = text;
    if (body.tooLarge) return sendErrors(ctx, 413, ['http: request body too large']);
  }

  try {
    if (!url.pathname.startsWith('/v1/')) throw new VaultError(404, []);
    await applyLatency(core);
    await applyHang(core, path);
    checkFailPaths(core, path);
    const raw = RAW[path];
    if (raw) raw(ctx);
    else if (path.startsWith('sys/rekey/')) handleRekey(ctx);
    else {
      normaliseLogical(ctx);
      await handleLogical(ctx, tap);
    }
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
    } else if (err instanceof VaultError) {
      sendErrors(ctx, err.status, err.errors);
    } else {
      sendErrors(ctx, 500, [(err as Error).message]);
    }
  } finally {
    if (tap) void drained(tap);
  }
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** Verb checks and `?list=true` → LIST with the trailing slash Vault adds. */
function normaliseLogical(ctx: Ctx): void {
  if (!LOGICAL_VERBS.has(ctx.method)) throw new VaultError(405, []);
  const list = ctx.query.get('list');
  if (ctx.method === 'GET' && list !== null) {
    const v = parseBool(list);
    if (v === undefined) throw new VaultError(400, []);
    if (v) ctx.method = 'LIST';
  }
  if (ctx.method === 'LIST' && !ctx.path.endsWith('/')) ctx.path = `${ctx.path}/`;
  if (ctx.core.flavor === 'openbao' && ctx.path.split('/').some((s) => s === '.' || s === '..')) {
    throw new VaultError(400, ['relative paths not supported']);
  }
}

async function handleLogical(ctx: Ctx, tap: BodyTap | undefined): Promise<void> {
  const { core, path } = ctx;
  if (core.unavailable) throw new VaultError(503, [SEALED]);
  const standby = core.faults.standby;
  // An HA standby with no active node to forward to (raft quorum lost): reference §1.2's 500.
  if (standby && standby.activeAddr === '') throw new VaultError(500, ['local node not active but active cluster node not found']);
  if (standby && (path === SNAPSHOT_PATH || path === SNAPSHOT_FORCE_PATH)) {
    // Vault never forwards snapshot paths: the client is sent to the active node.
    writeHead(ctx, 307, { Location: `${standby.activeAddr.replace(/\/+$/, '')}${ctx.req.url ?? ''}` });
    ctx.res.end();
    return;
  }
  if (path === 'auth/approle/login' && core.logical.approleEnabled) return handleAppRoleLogin(ctx);
  const token = requireToken(ctx);
  await route(ctx, token, tap);
}

async function route(ctx: Ctx, token: TokenEntry, tap: BodyTap | undefined): Promise<void> {
  const { path, method } = ctx;
  if (path.startsWith(KV_MOUNT)) return handleKv(ctx, token, path.slice(KV_MOUNT.length));
  if (ctx.core.flavor === 'openbao' && path.startsWith('sys/rotate/root/')) return handleRotateRoot(ctx, token);
  if (path.startsWith(UI_MOUNTS_PREFIX)) return handleUiMount(ctx, token, path.slice(UI_MOUNTS_PREFIX.length));
  switch (path) {
    case 'auth/token/lookup-self':
      return handleLookupSelf(ctx, token);
    case 'auth/token/renew-self':
      return handleRenewSelf(ctx, token);
    case SNAPSHOT_PATH:
      if (method === 'GET') return handleSnapshotSave(ctx, token);
      if (tap) return handleSnapshotRestore(ctx, token, false, tap);
      return unsupported(token, path, 'unsupported operation', 405);
    case SNAPSHOT_FORCE_PATH:
      if (tap) return handleSnapshotRestore(ctx, token, true, tap);
      return unsupported(token, path, 'unsupported operation', 405);
    case 'sys/storage/raft/configuration':
      return handleRaftConfiguration(ctx, token);
    case 'sys/storage/raft/autopilot/state':
      return handleAutopilotState(ctx, token);
    default:
      break;
  }
  const cap = capabilityForMethod(method);
  const mounted =
    path.startsWith('sys/') || path.startsWith('auth/token/') || (ctx.core.logical.approleEnabled && path.startsWith('auth/approle/'));
  if (!allowed(token, path, cap)) throw new VaultError(403, [ACL_DENIED]);
  if (mounted) throw new VaultError(404, ['unsupported path']);
  throw new VaultError(404, [`no handler for route "${path.replace(/\/$/, '')}". route entry not found.`]);
}

function unsupported(token: TokenEntry, path: string, message: string, status: number): never {
  if (!allowed(token, path, 'read') && !allowed(token, path, 'update')) throw new VaultError(403, [ACL_DENIED]);
  throw new VaultError(status, [message]);
}
