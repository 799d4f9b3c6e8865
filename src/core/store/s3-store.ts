/**
 * @module store/s3-store
 * A BackupStore on S3 or an S3-compatible endpoint (MinIO, Ceph, Garage…).
 *
 * `put` streams the body with lib-storage's `Upload` (multipart, a few parts in memory at a time)
 * to a staging key `<prefix>.incoming/<uuid>`, because the object's metadata (checksums computed
 * while streaming) is only known once the body has ended, and S3 fixes metadata when an upload
 * starts. It then copies the staged object server-side to its final key with that metadata and
 * deletes the staging key. Any failure aborts the multipart upload and removes what was written,
 * so nothing appears under the final key. A bucket lifecycle rule expiring `.incoming/` and
 * incomplete multipart uploads after a day covers a process killed mid-upload.
 */
import { randomUUID } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CoreError, ErrorCode } from '../errors.js';
import type { BackupStore, ListedObject, ObjectMetadata, PutOptions, StoredObject } from './backup-store.js';
import { checkMetadata } from './object-metadata.js';
import { displayEndpoint } from './display-endpoint.js';
import { createS3Client, type S3ConnectionOptions } from './s3-client.js';
import { copyToFinalKey } from './s3-copy.js';
import { storeFailed, storeNotFound } from './store-errors.js';
import { INCOMING_SEGMENT, assertValidKey, assertValidPrefix, normaliseS3Prefix, s3Location } from './store-key.js';

/** How uploads and copies are chunked. Memory held per `put` is about `partSize × queueSize`. */
export interface S3TransferOptions {
  /** Multipart part size in bytes; default 16 MiB (≥ 5 MiB; 10,000 parts cap an object at 160 GiB). */
  partSize?: number;
  /** Parts uploaded at once; default 2. */
  queueSize?: number;
  /** Objects above this are copied with UploadPartCopy instead of CopyObject; default 5 GiB, S3's limit. */
  maxSingleCopyBytes?: number;
  /** Part size of such a multipart copy; default 512 MiB. */
  copyPartSize?: number;
}

export interface S3StoreOptions extends S3ConnectionOptions, S3TransferOptions {
  bucket: string;
  /** Key prefix inside the bucket (`some/prefix`); keys the store returns are relative to it. */
  prefix?: string;
}

const MiB = 1024 * 1024;

export class S3Store implements BackupStore {
  readonly location: string;
  readonly bucket: string;
  /** Normalised to end in `/`, or empty for the whole bucket. */
  readonly prefix: string;
  /** The custom endpoint without any user:password part, for people; undefined for AWS. */
  readonly endpoint: string | undefined;
  private readonly client: S3Client;
  private readonly transfer: Required<S3TransferOptions>;

  constructor(options: S3StoreOptions) {
    const {
      bucket,
      prefix = '',
      partSize = 16 * MiB,
      queueSize = 2,
      maxSingleCopyBytes = 5 * 1024 * MiB,
      copyPartSize = 512 * MiB,
      ...connection
    } = options;
    this.bucket = bucket;
    this.prefix = normaliseS3Prefix(prefix);
    this.location = s3Location(bucket, this.prefix);
    this.endpoint = connection.endpoint === undefined ? undefined : displayEndpoint(connection.endpoint);
    // S3 refuses parts under 5 MiB (except the last); say so at startup rather than on the first backup.
    if (!(partSize >= 5 * MiB) || !(queueSize >= 1) || !(copyPartSize >= 5 * MiB)) {
      throw new CoreError(
        ErrorCode.ConfigInvalid,
        `S3 part sizes must be at least 5 MiB and the queue size at least 1 (got partSize ${partSize}, queueSize ${queueSize}, copyPartSize ${copyPartSize}).`,
      );
    }
    this.transfer = { partSize, queueSize, maxSingleCopyBytes, copyPartSize };
    this.client = createS3Client(connection);
  }

  async put(key: string, body: Readable, metadata: () => ObjectMetadata, options: PutOptions = {}): Promise<{ size: number }> {
    const finalKey = this.fullKey(key);
    const stagingKey = `${this.prefix}${INCOMING_SEGMENT}/${randomUUID()}`;
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    // An error in `body` destroys `counter`, which makes the Upload reject; the callback only keeps it from being unhandled.
    pipeline(body, counter, () => undefined);
    let upload: Upload | undefined;
    let copyAttempted = false;
    try {
      upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: stagingKey, Body: counter },
        partSize: this.transfer.partSize,
        queueSize: this.transfer.queueSize,
        leavePartsOnError: false,
      });
      await upload.done();
      const checked = checkMetadata(metadata());
      copyAttempted = true;
      await copyToFinalKey(this.client, {
        bucket: this.bucket,
        sourceKey: stagingKey,
        targetKey: finalKey,
        size,
        metadata: checked,
        maxSingleCopyBytes: this.transfer.maxSingleCopyBytes,
        copyPartSize: this.transfer.copyPartSize,
      });
    } catch (error) {
      body.destroy();
      counter.destroy();
      // Replacing: the final key holds the old object (a failed copy never lands) — never delete it.
      await this.cleanUpFailedPut(upload?.uploadId, stagingKey, copyAttempted && options.replaceExisting !== true ? finalKey : undefined);
      throw storeFailed(this.location, 'write', key, error);
    }
    // The backup is complete under its final key; a staging copy left behind is only clutter.
    await this.deleteQuietly(stagingKey);
    return { size };
  }

  async get(key: string): Promise<Readable> {
    const fullKey = this.fullKey(key);
    try {
      const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      if (!(Body instanceof Readable)) throw new Error('GetObject returned no Node.js stream');
      return Body;
    } catch (error) {
      if (isNotFound(error)) throw storeNotFound(this.location, key, error);
      throw storeFailed(this.location, 'read', key, error);
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const fullKey = this.fullKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      return { key, size: head.ContentLength ?? 0, metadata: { ...head.Metadata } };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw storeFailed(this.location, 'read the metadata of', key, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    const incoming = `${INCOMING_SEGMENT}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
        );
      } catch (error) {
        throw storeFailed(this.location, 'list', prefix || undefined, error);
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(this.prefix.length);
        // Staged uploads and "folder" marker objects are not backups.
        if (key === undefined || key === '' || key.endsWith('/') || key.startsWith(incoming)) continue;
        yield { key, size: object.Size ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    const fullKey = this.fullKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw storeFailed(this.location, 'delete', key, error);
    }
  }

  async sweepLeftovers(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${INCOMING_SEGMENT}/`, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || (object.LastModified?.getTime() ?? 0) >= cutoff) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
        removed += 1;
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return removed;
  }

  /** Closes the client's connections (for a clean shutdown and in tests). */
  destroy(): void {
    this.client.destroy();
  }

  private fullKey(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }

  private async cleanUpFailedPut(uploadId: string | undefined, stagingKey: string, finalKey: string | undefined): Promise<void> {
    // Upload aborts its own multipart upload on failure; repeat it in case that abort failed too.
    if (uploadId !== undefined) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: stagingKey, UploadId: uploadId }))
        .catch(() => undefined);
    }
    await this.deleteQuietly(stagingKey);
    // A copy that failed in transit may still have landed; the contract says nothing stays under the key.
    if (finalKey !== undefined) await this.deleteQuietly(finalKey);
  }

  private async deleteQuietly(fullKey: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey })).catch(() => undefined);
  }
}


function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}
