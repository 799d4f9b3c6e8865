/**
 * @module rotation/kv-secret
 * Finds the KV v2 secret a rotation is about, from a path as people type it (`secret/app/smtp`),
 * using the Vault client's KV calls and its mount preflight (`sys/internal/ui/mounts`, as the
 * Vault CLI does). Every way a path can be wrong — ends in `/`, no mount, KV v1, nothing there,
 * deleted, no permission — becomes one sentence, at request time, before anyone approves.
 */
import { CoreError, ErrorCode, isCoreError } from '../errors.js';
import type { KvMetadata, KvWriteResult, MountInfo } from '../vault/types.js';
import { isSafeKvPath } from './safe-kv-path.js';

/** The slice of `VaultClient` used by rotations. */
export interface KvCaller {
  readonly address: string;
  mountInfo(path: string): Promise<MountInfo | undefined>;
  kvMetadata(mount: string, path: string): Promise<KvMetadata | undefined>;
  kvReadVersion(mount: string, path: string, version?: number): Promise<Record<string, unknown>>;
  kvWrite(mount: string, path: string, data: Record<string, unknown>, cas?: number): Promise<KvWriteResult>;
}

export interface KvSecretRef {
  /** As typed: `secret/app/smtp`. */
  path: string;
  /** The mount without its trailing `/`: `secret`. */
  mount: string;
  /** The secret's name inside the mount: `app/smtp`. */
  name: string;
}

export interface FoundSecret extends KvSecretRef {
  version: number;
  data: Record<string, unknown>;
}

const FORM = 'e.g. `/vault rotate secret secret/app/smtp`';

/** Checks the shape of the path (no Vault call). */
export function cleanKvPath(text: string): string {
  const path = text.trim().replace(/^\/+/, '');
  if (path === '') throw invalid(`Give the secret to rotate, ${FORM}.`);
  if (path.endsWith('/')) throw invalid(`"${path}" ends in "/", which names a folder, not a secret; give one secret, ${FORM}.`);
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw invalid(`"${path}" has an empty, "." or ".." segment; give the secret's plain path, ${FORM}.`);
  }
  if (!isSafeKvPath(path)) {
    throw invalid(`"${path.slice(0, 80)}" has a character a KV path cannot have here (only letters, digits and _ . @ + = , : - between slashes; nothing percent-encoded); give the secret's plain path, ${FORM}.`);
  }
  return path;
}

/** The current version of the secret at `text`, or a CoreError whose message is the one sentence to show. */
export async function findSecret(vault: KvCaller, text: string): Promise<FoundSecret> {
  const path = cleanKvPath(text);
  const mount = await vault.mountInfo(path);
  if (!mount) {
    throw new CoreError(
      ErrorCode.VaultNotFound,
      `No secrets engine the bot may use serves ${path} on Vault at ${vault.address}: nothing is mounted there, or the bot's token has no access to it.`,
    );
  }
  const mountPath = mount.path.replace(/\/+$/, '');
  if (mount.type !== 'kv') throw invalid(`${path} is on a ${mount.type} mount (${mount.path}), not a KV secrets engine; only KV version 2 secrets can be rotated.`);
  if (mount.version !== '2') {
    throw invalid(`${path} is on a KV version 1 mount (${mount.path}), which keeps no versions and has no check-and-set; rotation needs KV version 2 (\`vault kv enable-versioning ${mount.path}\`).`);
  }
  const name = path.slice(mount.path.length);
  if (name === '') throw invalid(`"${path}" is the mount itself; give one secret inside it, ${FORM}.`);
  const ref: KvSecretRef = { path, mount: mountPath, name };
  try {
    const meta = await vault.kvMetadata(mountPath, name);
    if (!meta || meta.currentVersion === 0) {
      throw new CoreError(ErrorCode.VaultNotFound, `There is no secret at ${path} on Vault at ${vault.address}; check the path with \`vault kv list ${mount.path}\`.`);
    }
    if (meta.currentDeleted) {
      throw new CoreError(ErrorCode.VaultNotFound, `The current version (${meta.currentVersion}) of ${path} is deleted or destroyed; undelete it or write a new version first.`);
    }
    const data = await vault.kvReadVersion(mountPath, name, meta.currentVersion);
    return { ...ref, version: meta.currentVersion, data };
  } catch (error) {
    if (isCoreError(error, ErrorCode.VaultPermissionDenied)) {
      throw new CoreError(
        ErrorCode.VaultPermissionDenied,
        `The bot's Vault token may not read ${path}; its policy needs read on ${mountPath}/metadata/${name} and read, create and update on ${mountPath}/data/${name}.`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** One exact version's data; undefined when that version is deleted, destroyed or gone. */
export async function readVersion(vault: KvCaller, ref: KvSecretRef, version: number): Promise<Record<string, unknown> | undefined> {
  try {
    return await vault.kvReadVersion(ref.mount, ref.name, version);
  } catch (error) {
    if (isCoreError(error, ErrorCode.VaultNotFound)) return undefined;
    throw error;
  }
}

/** The current version number, when the token may read the metadata. */
export async function currentVersion(vault: KvCaller, ref: KvSecretRef): Promise<number | undefined> {
  try {
    return (await vault.kvMetadata(ref.mount, ref.name))?.currentVersion;
  } catch {
    return undefined;
  }
}

function invalid(message: string): CoreError {
  return new CoreError(ErrorCode.InvalidInput, message);
}
