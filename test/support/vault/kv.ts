/**
 * @module kv KV version 2 on `secret/` (§7): data read/write/patch/soft-delete, metadata read/list/
 * write/delete, delete/undelete/destroy, and the v1-style-path warning. The two 404 shapes matter:
 * nothing there → `{"errors":[]}`; deleted/destroyed version → a full envelope without `errors`.
 */
import { authorize, capabilityForMethod } from './auth.js';
import { VaultError, parseWriteBody, sendEnvelope, sendErrors, sendNoContent, type Ctx } from './http.js';
import { rfc3339Nano, type KvSecret, type LogicalState, type TokenEntry, type VaultCore } from './state.js';

export const KV_MOUNT = 'secret/';
const DEFAULT_MAX_VERSIONS = 10;

function versionMeta(secret: KvSecret, version: number): Record<string, unknown> {
  const v = secret.versions[String(version)];
  return {
    created_time: v?.createdTime ?? '',
    custom_metadata: secret.customMetadata,
    deletion_time: v?.deletionTime ?? '',
    destroyed: v?.destroyed ?? false,
    version,
  };
}

function notFound(): VaultError {
  return new VaultError(404, []);
}

/** Append a version, enforcing CAS; returns the new version number. */
export function writeVersion(
  logical: LogicalState,
  path: string,
  data: Record<string, unknown>,
  cas?: number,
): number {
  const existing = logical.kv[path];
  const current = existing?.currentVersion ?? 0;
  if (cas === undefined && existing?.casRequired) {
    throw new VaultError(400, ['check-and-set parameter required for this call']);
  }
  if (cas !== undefined && cas !== current) {
    throw new VaultError(400, ['check-and-set parameter did not match the current version']);
  }
  const now = rfc3339Nano();
  const secret: KvSecret = existing ?? emptySecret(now);
  const version = current + 1;
  secret.versions[String(version)] = { data: structuredClone(data), createdTime: now, deletionTime: '', destroyed: false };
  secret.currentVersion = version;
  secret.updatedTime = now;
  if (secret.oldestVersion === 0) secret.oldestVersion = 1;
  const max = secret.maxVersions > 0 ? secret.maxVersions : DEFAULT_MAX_VERSIONS;
  while (version - secret.oldestVersion + 1 > max) {
    delete secret.versions[String(secret.oldestVersion)];
    secret.oldestVersion += 1;
  }
  logical.kv[path] = secret;
  return version;
}

function parseCas(options: unknown): number | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  const raw = (options as Record<string, unknown>).cas;
  if (raw === undefined || raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new VaultError(400, ['invalid cas value']);
  return n;
}

function readData(ctx: Ctx, path: string): void {
  const secret = ctx.core.logical.kv[path];
  if (!secret) throw notFound();
  const raw = ctx.query.get('version');
  let version = secret.currentVersion;
  if (raw !== null && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new VaultError(400, [`error parsing version: ${raw}`]);
    if (n > 0) version = n;
  }
  const v = secret.versions[String(version)];
  if (!v) throw notFound();
  const metadata = versionMeta(secret, version);
  if (v.deletionTime !== '' || v.destroyed) {
    return sendEnvelope(ctx, { mountType: 'kv', data: { data: null, metadata } }, 404);
  }
  sendEnvelope(ctx, { mountType: 'kv', data: { data: v.data, metadata } });
}

function writeData(ctx: Ctx, path: string): void {
  if (path === '' || path.endsWith('/')) throw new VaultError(400, ["cannot write to a path ending in '/'"]);
  const body = parseWriteBody(ctx);
  const data = body.data;
  if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new VaultError(400, ['no data provided']);
  }
  const version = writeVersion(ctx.core.logical, path, data as Record<string, unknown>, parseCas(body.options));
  ctx.core.bumpIndex();
  const secret = ctx.core.logical.kv[path] as KvSecret;
  sendEnvelope(ctx, { mountType: 'kv', data: versionMeta(secret, version) });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchData(ctx: Ctx, path: string): void {
  const ct = String(ctx.req.headers['content-type'] ?? '');
  if (!ct.startsWith('application/merge-patch+json')) {
    throw new VaultError(415, [`PATCH requires Content-Type of application/merge-patch+json, provided ${ct}`]);
  }
  const secret = ctx.core.logical.kv[path];
  const current = secret?.versions[String(secret.currentVersion)];
  if (!secret || !current || current.deletionTime !== '' || current.destroyed) throw notFound();
  const body = parseWriteBody(ctx);
  if (body.data === undefined || body.data === null || typeof body.data !== 'object') {
    throw new VaultError(400, ['no data provided']);
  }
  const merged = mergePatch(current.data, body.data) as Record<string, unknown>;
  const version = writeVersion(ctx.core.logical, path, merged, parseCas(body.options));
  ctx.core.bumpIndex();
  sendEnvelope(ctx, { mountType: 'kv', data: versionMeta(secret, version) });
}

function softDeleteLatest(core: VaultCore, path: string): void {
  const secret = core.logical.kv[path];
  const v = secret?.versions[String(secret.currentVersion)];
  if (v && v.deletionTime === '' && !v.destroyed) {
    v.deletionTime = rfc3339Nano();
    core.bumpIndex();
  }
}

function readMetadata(ctx: Ctx, path: string): void {
  const secret = ctx.core.logical.kv[path];
  if (!secret) throw notFound();
  const versions: Record<string, unknown> = {};
  for (const [n, v] of Object.entries(secret.versions)) {
    versions[n] = { created_time: v.createdTime, deletion_time: v.deletionTime, destroyed: v.destroyed };
  }
  sendEnvelope(ctx, {
    mountType: 'kv',
    data: {
      cas_required: secret.casRequired,
      created_time: secret.createdTime,
      current_version: secret.currentVersion,
      custom_metadata: secret.customMetadata,
      delete_version_after: '0s',
      max_versions: secret.maxVersions,
      oldest_version: secret.oldestVersion,
      updated_time: secret.updatedTime,
      versions,
    },
  });
}

function listKeys(ctx: Ctx, path: string): void {
  const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
  const keys = new Set<string>();
  for (const p of Object.keys(ctx.core.logical.kv)) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  if (keys.size === 0) throw notFound();
  sendEnvelope(ctx, { mountType: 'kv', data: { keys: [...keys].sort() } });
}

function writeMetadata(ctx: Ctx, path: string): void {
  const body = parseWriteBody(ctx);
  const now = rfc3339Nano();
  const secret: KvSecret = ctx.core.logical.kv[path] ?? emptySecret(now);
  if (body.max_versions !== undefined) secret.maxVersions = Number(body.max_versions);
  if (body.cas_required !== undefined) secret.casRequired = body.cas_required === true || body.cas_required === 'true';
  if (body.custom_metadata !== undefined) secret.customMetadata = body.custom_metadata as Record<string, string> | null;
  secret.updatedTime = now;
  ctx.core.logical.kv[path] = secret;
  ctx.core.bumpIndex();
  sendNoContent(ctx);
}

function versionsOp(ctx: Ctx, path: string, op: 'delete' | 'undelete' | 'destroy'): void {
  const body = parseWriteBody(ctx);
  const list = Array.isArray(body.versions) ? body.versions.map(Number) : [];
  if (list.length === 0) throw new VaultError(400, ['no version number provided']);
  const secret = ctx.core.logical.kv[path];
  for (const n of list) {
    const v = secret?.versions[String(n)];
    if (!v) continue;
    if (op === 'delete' && v.deletionTime === '') v.deletionTime = rfc3339Nano();
    if (op === 'undelete' && !v.destroyed) v.deletionTime = '';
    if (op === 'destroy') {
      v.destroyed = true;
      v.data = null;
    }
  }
  ctx.core.bumpIndex();
  sendNoContent(ctx);
}

const INVALID_PATH_VERB: Record<string, string> = {
  GET: 'get',
  LIST: 'list',
  DELETE: 'delete',
  PATCH: 'patch',
  POST: 'put',
  PUT: 'put',
};

/** Handle `secret/<rest>`; the caller has resolved the token. */
export function handleKv(ctx: Ctx, token: TokenEntry, rest: string): void {
  const m = /^(data|metadata|delete|undelete|destroy)(?:\/(.*))?$/.exec(rest);
  const kind = m?.[1];
  const path = m?.[2] ?? '';
  const exists = kind !== undefined && ctx.core.logical.kv[path.replace(/\/$/, '')] !== undefined;
  const isWrite = ctx.method === 'POST' || ctx.method === 'PUT';
  const cap = isWrite ? (exists ? 'update' : 'create') : capabilityForMethod(ctx.method);
  authorize(token, ctx.path, cap);

  switch (kind) {
    case 'data':
      if (ctx.method === 'GET') return readData(ctx, path);
      if (isWrite) return writeData(ctx, path);
      if (ctx.method === 'DELETE') {
        softDeleteLatest(ctx.core, path);
        return sendNoContent(ctx);
      }
      if (ctx.method === 'PATCH') return patchData(ctx, path);
      break;
    case 'metadata':
      if (ctx.method === 'LIST') return listKeys(ctx, path);
      if (ctx.method === 'GET') {
        if (path === '' || path.endsWith('/')) throw notFound();
        return readMetadata(ctx, path);
      }
      if (isWrite) return writeMetadata(ctx, path);
      if (ctx.method === 'DELETE') {
        if (ctx.core.logical.kv[path]) {
          delete ctx.core.logical.kv[path];
          ctx.core.bumpIndex();
        }
        return sendNoContent(ctx);
      }
      break;
    case 'delete':
    case 'undelete':
    case 'destroy':
      if (isWrite) return versionsOp(ctx, path, kind);
      break;
    default: {
      const verb = INVALID_PATH_VERB[ctx.method] ?? 'get';
      return sendEnvelope(
        ctx,
        {
          mountType: 'kv',
          data: null,
          warnings: [
            `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${verb}' for this operation.`,
          ],
        },
        404,
      );
    }
  }
  sendErrors(ctx, 405, ['unsupported operation']);
}

/** A secret with no versions yet, as KV v2 creates it on the first write or metadata write. */
function emptySecret(now: string): KvSecret {
  return { versions: {}, currentVersion: 0, oldestVersion: 0, createdTime: now, updatedTime: now, maxVersions: 0, casRequired: false, customMetadata: null };
}
