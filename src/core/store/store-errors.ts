/**
 * @module store/store-errors
 * The two failures a store reports, worded once. Messages name the store's location and the key
 * (never credentials) and say what to check next; the SDK or file-system error rides in `cause`.
 */
import { CoreError, ErrorCode } from '../errors.js';

export function storeNotFound(location: string, key: string, cause?: unknown): CoreError {
  return new CoreError(
    ErrorCode.StoreNotFound,
    `No backup named ${key} exists in ${location}; list the backups to see which ones do.`,
    { cause },
  );
}

/** `action` is a verb phrase: "write", "read", "list", "delete", "read the metadata of". */
export function storeFailed(location: string, action: string, key: string | undefined, cause: unknown): CoreError {
  if (cause instanceof CoreError) return cause;
  const what = key === undefined ? '' : ` ${key}`;
  const hint = location.startsWith('s3://')
    ? 'check the bucket, its permissions, the credentials and S3_ENDPOINT'
    : 'check that the folder exists, is writable by the bot and has free space';
  return new CoreError(ErrorCode.StoreFailed, `Could not ${action}${what} in ${location}; ${hint}.`, { cause });
}

/** True for a Node file-system error with this `code` (ENOENT, EEXIST…). */
export function hasErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
