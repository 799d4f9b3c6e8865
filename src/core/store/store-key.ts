/**
 * @module store/store-key
 * The one rule for which keys and list prefixes every store accepts, so a key that works in a
 * folder works in S3 and back. Keys reach the file system as paths, so anything that could leave
 * the store's root (`..`, an absolute path, a backslash on Windows) is refused before any I/O.
 * A few names are reserved for the stores' own bookkeeping and refused as well.
 */
import { CoreError, ErrorCode } from '../errors.js';

/** Prefix of temporary files next to their final name (folder store). */
export const TEMP_NAME_PREFIX = '.tmp-';
/** Suffix of a folder store's metadata sidecar: `<object file name>.json`. */
export const SIDECAR_SUFFIX = '.json';
/** First key segment under which the S3 store stages uploads before copying them to their final key. */
export const INCOMING_SEGMENT = '.incoming';

const EXAMPLE = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';

function refuse(what: string, value: string, rule: string): never {
  throw new CoreError(
    ErrorCode.InvalidInput,
    `The backup ${what} ${JSON.stringify(value)} ${rule}; use a relative name like ${EXAMPLE}.`,
  );
}

function checkSegments(what: string, value: string, segments: string[]): void {
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value)) refuse(what, value, 'is an absolute path');
  if (value.includes('\\')) refuse(what, value, 'contains a backslash');
  if (value.includes('\0')) refuse(what, value, 'contains a NUL character');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      refuse(what, value, 'has an empty, "." or ".." path segment');
    }
    if (segment.startsWith(TEMP_NAME_PREFIX)) refuse(what, value, `uses the reserved name prefix ${TEMP_NAME_PREFIX}`);
  }
  if (segments[0] === INCOMING_SEGMENT) refuse(what, value, `starts with the reserved folder ${INCOMING_SEGMENT}/`);
}

/** Throws CoreError `invalid_input` unless `key` is a safe, relative, `/`-separated object key. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key === '') refuse('key', String(key), 'is empty');
  checkSegments('key', key, key.split('/'));
  // A key ending in .json would be taken for (or overwrite) another object's sidecar in a folder store.
  if (key.endsWith(SIDECAR_SUFFIX)) refuse('key', key, `ends with ${SIDECAR_SUFFIX}, which is reserved for metadata sidecars`);
}

/**
 * Throws CoreError `invalid_input` unless `prefix` is empty or a safe relative key prefix.
 * A prefix may end in `/` (a folder) or part-way through a name (`daily/2025-11`).
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const segments = prefix.split('/');
  if (segments.at(-1) === '') segments.pop();
  checkSegments('prefix', prefix, segments);
}

/** `a/b` or `/a/b/` → `a/b/`; empty stays empty. Refuses the segments keys refuse. */
export function normaliseS3Prefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  assertValidPrefix(`${trimmed}/`);
  return `${trimmed}/`;
}

/** `s3://bucket[/prefix]`, for people: where an S3 store writes. */
export function s3Location(bucket: string, normalisedPrefix: string): string {
  return `s3://${bucket}${normalisedPrefix === '' ? '' : `/${normalisedPrefix.slice(0, -1)}`}`;
}
