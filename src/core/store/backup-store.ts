/**
 * @module store/backup-store
 * One interface for every place backups live (a folder, S3 or an S3-compatible endpoint).
 *
 * Contract:
 * - Keys are relative to the store's own root/prefix and use `/` (e.g. `daily/2025-11-26/vault-snapshot-20251126-020000.enc`).
 * - `put` is atomic: when it resolves the complete object exists under `key` with its metadata;
 *   when it rejects nothing exists under `key` (temporary names and unfinished uploads are removed).
 *   `metadata` is called once, after `body` has been consumed entirely, so it may use checksums
 *   computed while the body streamed.
 * - `put(…, { replaceExisting: true })` overwrites an object that already exists (backup-key
 *   rotation). Its failure path never removes the existing object: when it rejects, the old object
 *   (or, if the swap had already happened, the new one) is still under `key`, never nothing.
 * - Metadata keys are lower-case with hyphens, values are strings (as S3 user metadata are).
 * - `list` yields every object under `prefix`, following pagination, in no particular order,
 *   never temporary or sidecar files.
 * - `get` and `stat` on a missing key: `get` rejects with CoreError `store_not_found`, `stat` resolves undefined.
 * - `delete` of a missing key resolves.
 * - Keys and list prefixes that could leave the store's root (`..`, `.` or empty segments, an
 *   absolute path, a backslash) or use a name reserved for the stores' bookkeeping (a `.tmp-…`
 *   segment, a leading `.incoming/`, a trailing `.json`) are refused with CoreError `invalid_input`
 *   before any I/O (see `store-key.ts`).
 */
import type { Readable } from 'node:stream';

export type ObjectMetadata = Record<string, string>;

export interface StoredObject {
  key: string;
  size: number;
  metadata: ObjectMetadata;
}

export interface PutOptions {
  /** The key holds an object that must survive a failed put (see the contract above). */
  replaceExisting?: boolean;
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface BackupStore {
  /** Where this store writes, for people: `s3://bucket/prefix` or `file:///abs/path`. */
  readonly location: string;
  put(key: string, body: Readable, metadata: () => ObjectMetadata, options?: PutOptions): Promise<{ size: number }>;
  get(key: string): Promise<Readable>;
  stat(key: string): Promise<StoredObject | undefined>;
  list(prefix?: string): AsyncIterable<ListedObject>;
  delete(key: string): Promise<void>;
  /**
   * Removes the store's own bookkeeping left by a killed writer — a folder store's `.tmp-*` files,
   * an S3 store's `.incoming/` objects — last changed more than `olderThanMs` ago. Called only
   * while no backup run is alive, so nothing in progress is touched. Returns how many went.
   */
  sweepLeftovers?(olderThanMs: number): Promise<number>;
  /**
   * Reads the object back and returns its size and sha256, for a store that can do so without
   * handing its bytes out as a stream (a folder store reads into two reused buffers: no garbage,
   * and the next read overlaps the hashing). Without it, callers hash what `get` streams.
   */
  digest?(key: string): Promise<ObjectDigest>;
}

export interface ObjectDigest {
  size: number;
  sha256: string;
}
