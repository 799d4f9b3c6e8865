/**
 * @module vault/kv
 * KV v2 calls by mount and path (metadata, a version's data, listing, check-and-set writes) and the
 * mount preflight that tells KV v1 from v2, as the Vault CLI does (`sys/internal/ui/mounts/<path>`).
 * Values pass through; nothing here logs them.
 */
import { CoreError, ErrorCode, isCoreError } from '../errors.js';
import type { VaultJsonCall } from './auth.js';
import { record, toKvWriteResult } from './responses.js';
import type { KvMetadata, KvWriteResult, MountInfo } from './types.js';

const join = (mount: string, kind: string, path: string): string => `${mount.replace(/\/+$/, '')}/${kind}/${path.replace(/^\/+/, '')}`;

/** `undefined` when the path was never written (or its metadata was deleted). */
export async function kvMetadata(call: VaultJsonCall, mount: string, path: string): Promise<KvMetadata | undefined> {
  let body: unknown;
  try {
    body = await call('GET', join(mount, 'metadata', path));
  } catch (error) {
    if (isCoreError(error, ErrorCode.VaultNotFound)) return undefined;
    throw error;
  }
  const d = record(record(body).data);
  const currentVersion = Number(d.current_version ?? 0);
  const current = record(record(d.versions)[String(currentVersion)]);
  const deleted = (typeof current.deletion_time === 'string' && current.deletion_time !== '') || current.destroyed === true;
  return { currentVersion, currentDeleted: deleted, casRequired: d.cas_required === true };
}

/** The data of one version (default: the current one). Rejects `vault_not_found` when deleted or absent. */
export async function kvReadVersion(call: VaultJsonCall, mount: string, path: string, version?: number): Promise<Record<string, unknown>> {
  const body = await call('GET', `${join(mount, 'data', path)}${version ? `?version=${version}` : ''}`);
  const inner = record(record(body).data).data;
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as Record<string, unknown>;
  throw new CoreError(ErrorCode.VaultNotFound, `the secret at ${mount}/${path} is deleted or destroyed`);
}

/** Every secret path under `prefix` (ending in `/`, or '' for the whole mount), recursively, sorted. */
export async function kvListRecursive(call: VaultJsonCall, mount: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let body: unknown;
    try {
      body = await call('LIST', join(mount, 'metadata', folder));
    } catch (error) {
      if (isCoreError(error, ErrorCode.VaultNotFound)) return;
      throw error;
    }
    const keys = record(record(body).data).keys;
    for (const key of Array.isArray(keys) ? keys : []) {
      if (typeof key !== 'string') continue;
      if (key.endsWith('/')) await walk(`${folder}${key}`);
      else out.push(`${folder}${key}`);
    }
  };
  await walk(prefix);
  return out.sort();
}

/** A new version; with `cas`, only when the current version is still `cas` (0: only if absent). */
export async function kvWrite(call: VaultJsonCall, mount: string, path: string, data: Record<string, unknown>, cas?: number): Promise<KvWriteResult> {
  const body = await call('POST', join(mount, 'data', path), { body: { data, ...(cas === undefined ? {} : { options: { cas } }) } });
  return toKvWriteResult(body);
}

/** The mount holding `path` and its KV version; `undefined` when no mount serves it (or the token may not see it). */
export async function mountInfo(call: VaultJsonCall, path: string): Promise<MountInfo | undefined> {
  let body: unknown;
  try {
    body = await call('GET', `sys/internal/ui/mounts/${path.replace(/^\/+/, '')}`);
  } catch (error) {
    if (isCoreError(error, ErrorCode.VaultNotFound) || isCoreError(error, ErrorCode.VaultPermissionDenied) || isCoreError(error, ErrorCode.VaultBadRequest)) return undefined;
    throw error;
  }
  const d = record(record(body).data);
  const options = record(d.options);
  const version = options.version === undefined ? undefined : String(options.version);
  return { path: String(d.path ?? ''), type: String(d.type ?? ''), ...(version ? { version } : {}) };
}
