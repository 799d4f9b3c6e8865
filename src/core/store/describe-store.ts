/**
 * @module store/describe-store
 * One plain sentence fragment telling a person where backups go, for status replies and logs.
 * Plain text only; the bot decides how to render it.
 *
 * @example
 *   describeStore(store) // 'S3 bucket "acme" under prefix "prod/" (s3://acme/prod) at http://127.0.0.1:9000'
 */
import type { BackupStore } from './backup-store.js';
import { FolderStore } from './folder-store.js';
import { LazyS3Store } from './lazy-s3-store.js';
import { S3Store } from './s3-store.js';

export function describeStore(store: BackupStore): string {
  if (store instanceof S3Store || store instanceof LazyS3Store) {
    const where = store.prefix === '' ? `S3 bucket "${store.bucket}"` : `S3 bucket "${store.bucket}" under prefix "${store.prefix}"`;
    const endpoint = store.endpoint === undefined ? '' : ` at ${store.endpoint}`;
    return `${where} (${store.location})${endpoint}`;
  }
  if (store instanceof FolderStore) return `folder ${store.root} (${store.location})`;
  // A wrapper or another implementation: its location is all we know.
  return store.location;
}
