/**
 * @module store/create-store
 * Turns the configured backup location into a BackupStore; nothing else in the bot asks which
 * kind of store is live.
 *
 * @example
 *   createBackupStore('s3://acme-vault-backups/prod', { region: 'eu-west-1' });
 *   createBackupStore('file:///var/backups/vault', {});
 *   createBackupStore('./backups', {}); // resolved against the working directory
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError, ErrorCode } from '../errors.js';
import type { BackupStore } from './backup-store.js';
import { FolderStore } from './folder-store.js';
import type { S3ConnectionOptions } from './s3-client.js';
import { LazyS3Store } from './lazy-s3-store.js';
import type { S3TransferOptions } from './s3-store.js';
import { assertValidPrefix } from './store-key.js';
import { redactLocation, STORE_LOCATION_FORMS, storeLocationProblem } from './store-location.js';

export type CreateStoreOptions = S3TransferOptions;

export function createBackupStore(
  location: string,
  s3: S3ConnectionOptions = {},
  opts: CreateStoreOptions = {},
): BackupStore {
  const trimmed = location.trim();
  const problem = storeLocationProblem(trimmed);
  if (problem !== undefined) refuse(location, problem);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return new FolderStore(resolve(trimmed));
  if (scheme === 'file') return new FolderStore(folderFromFileUrl(trimmed));
  if (scheme === 's3') return s3FromUrl(trimmed, s3, opts);
  return refuse(location, `uses the unsupported scheme ${scheme}://`);
}

function folderFromFileUrl(location: string): string {
  try {
    return fileURLToPath(new URL(location));
  } catch (error) {
    return refuse(location, 'is not a local file URL (it needs three slashes: file:///path)', error);
  }
}

function s3FromUrl(location: string, s3: S3ConnectionOptions, opts: CreateStoreOptions): BackupStore {
  // Parsed by hand: WHATWG URL parsing would quietly turn `s3://b/a/../x` into prefix `x`.
  const rest = location.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);
  // Credentials belong in the AWS credential chain, never in a location that ends up in messages and logs.
  if (authority.includes('@')) refuse(location, 'contains credentials');
  if (authority.includes(':') || /[?#]/.test(rest)) refuse(location, 'has a port, query or fragment');
  // AWS allows 3–63 lower-case letters, digits, dots and hyphens; older buckets and some compatible stores also use upper case and `_`.
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/.test(authority)) refuse(location, `names an invalid bucket "${authority}"`);
  let prefix: string;
  try {
    prefix = decodeURIComponent(path).replace(/\/+$/, '');
  } catch (error) {
    return refuse(location, 'has a badly encoded prefix', error);
  }
  try {
    assertValidPrefix(prefix === '' ? '' : `${prefix}/`);
  } catch (error) {
    refuse(location, 'has a prefix with an empty, "." or ".." segment or a reserved name', error);
  }
  return new LazyS3Store({ ...s3, ...opts, bucket: authority, prefix });
}

function refuse(location: string, problem: string, cause?: unknown): never {
  throw new CoreError(
    ErrorCode.ConfigInvalid,
    `The backup location ${JSON.stringify(redactLocation(location))} ${problem}; use ${STORE_LOCATION_FORMS}.`,
    { cause },
  );
}
