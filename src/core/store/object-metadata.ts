/**
 * @module store/object-metadata
 * Checks the metadata a caller hands to `put`, the same way for every store. S3 sends user
 * metadata as HTTP headers (`x-amz-meta-<key>`): keys come back lower-cased and non-ASCII values
 * come back RFC 2047-encoded, so anything but lower-case keys and printable ASCII values would
 * not round-trip. Refusing them here keeps a folder store and an S3 store interchangeable.
 */
import { CoreError, ErrorCode } from '../errors.js';
import type { ObjectMetadata } from './backup-store.js';

const KEY = /^[a-z0-9][a-z0-9-]*$/;
const VALUE = /^[\x20-\x7e]*$/;

/** Returns a plain copy of `metadata`, or throws CoreError `invalid_input` naming the bad entry. */
export function checkMetadata(metadata: ObjectMetadata): ObjectMetadata {
  const checked: ObjectMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!KEY.test(key)) {
      throw new CoreError(
        ErrorCode.InvalidInput,
        `Backup metadata key ${JSON.stringify(key)} is not allowed; use lower-case letters, digits and hyphens (e.g. plain-sha256).`,
      );
    }
    if (typeof value !== 'string' || !VALUE.test(value)) {
      throw new CoreError(
        ErrorCode.InvalidInput,
        `Backup metadata ${JSON.stringify(key)} must be a string of printable ASCII characters.`,
      );
    }
    checked[key] = value;
  }
  return checked;
}
