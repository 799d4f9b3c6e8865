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
  const detail = osDetail(cause);
  return new CoreError(ErrorCode.StoreFailed, `Could not ${action}${what} in ${location}${detail ? ` (${detail})` : ''}; ${hint}.`, { cause });
}

/**
 * The underlying error in a few words, so "permission denied" or "no space left" reaches the
 * person instead of only the log: a file-system error's own message (`EACCES: permission denied,
 * mkdir '/backups/daily'`), or an S3 error's name and message. Never longer than one line.
 */
function osDetail(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { code, message, name } = cause as { code?: unknown; message?: unknown; name?: unknown };
  const text = typeof message === 'string' ? message.split('\n')[0]!.trim() : '';
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return (text.startsWith(code) ? text : `${code}: ${text}`).slice(0, 300);
  if (typeof name === 'string' && name !== 'Error' && (cause as { $metadata?: unknown }).$metadata !== undefined) {
    return `${name}${text && text !== name ? `: ${text}` : ''}`.slice(0, 300);
  }
  return undefined;
}

/** True for a Node file-system error with this `code` (ENOENT, EEXIST…). */
export function hasErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
