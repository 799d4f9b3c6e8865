/**
 * @module store/lazy-s3-store
 * The S3 store, with the AWS SDK loaded on first use rather than at start-up. The SDK costs about
 * 20 MB of resident memory, which a bot backing up to a folder never needs; the backup pipeline's
 * memory budget (150 MB peak) is tight enough for that to matter.
 */
import type { Readable } from 'node:stream';
import type { BackupStore, ListedObject, ObjectMetadata, PutOptions, StoredObject } from './backup-store.js';
import { displayEndpoint } from './display-endpoint.js';
import type { S3StoreOptions } from './s3-store.js';
import { normaliseS3Prefix, s3Location } from './store-key.js';

export class LazyS3Store implements BackupStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint: string | undefined;
  #store: Promise<BackupStore> | undefined;

  constructor(private readonly options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = normaliseS3Prefix(options.prefix ?? '');
    this.location = s3Location(this.bucket, this.prefix);
    this.endpoint = options.endpoint === undefined ? undefined : displayEndpoint(options.endpoint);
  }

  async put(key: string, body: Readable, metadata: () => ObjectMetadata, options?: PutOptions): Promise<{ size: number }> {
    return (await this.load()).put(key, body, metadata, options);
  }

  async get(key: string): Promise<Readable> {
    return (await this.load()).get(key);
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    return (await this.load()).stat(key);
  }

  async *list(prefix?: string): AsyncIterable<ListedObject> {
    yield* (await this.load()).list(prefix);
  }

  async delete(key: string): Promise<void> {
    return (await this.load()).delete(key);
  }

  async sweepLeftovers(olderThanMs: number): Promise<number> {
    return (await this.load()).sweepLeftovers?.(olderThanMs) ?? 0;
  }

  private load(): Promise<BackupStore> {
    this.#store ??= import('./s3-store.js').then(({ S3Store }) => new S3Store(this.options));
    return this.#store;
  }
}
