/**
 * Which store a configured location gives, and the sentence people see for it.
 */
import { LazyS3Store } from '../../../src/core/store/lazy-s3-store.js';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackupStore } from '../../../src/core/store/create-store.js';
import { describeStore } from '../../../src/core/store/describe-store.js';
import { FolderStore } from '../../../src/core/store/folder-store.js';
import { S3Store } from '../../../src/core/store/s3-store.js';
import { isCoreError } from '../../../src/core/errors.js';

function refusal(location: string): { code: string; message: string } {
  try {
    createBackupStore(location, {});
  } catch (error) {
    if (isCoreError(error)) return { code: error.code, message: error.userMessage };
    throw error;
  }
  throw new Error(`${location} was accepted`);
}

describe('createBackupStore', () => {
  it('opens an S3 store with the path as key prefix', () => {
    const store = createBackupStore('s3://acme-vault/some/prefix/', { region: 'eu-west-1' });
    expect(store).toBeInstanceOf(LazyS3Store);
    expect(store.location).toBe('s3://acme-vault/some/prefix');
    expect((store as LazyS3Store).prefix).toBe('some/prefix/');
    expect(describeStore(store)).toBe('S3 bucket "acme-vault" under prefix "some/prefix/" (s3://acme-vault/some/prefix)');
  });

  it('opens a whole bucket, naming a custom endpoint without its password', () => {
    const store = createBackupStore('s3://acme-vault', { endpoint: 'https://minio:secret@minio.internal:9000' });
    expect(store.location).toBe('s3://acme-vault');
    expect((store as LazyS3Store).prefix).toBe('');
    expect(describeStore(store)).toBe('S3 bucket "acme-vault" (s3://acme-vault) at https://minio.internal:9000');
  });

  it('opens a folder store from a file URL or a plain path, relative ones against the working directory', () => {
    const fromUrl = createBackupStore('file:///var/backups/vault', {});
    expect(fromUrl).toBeInstanceOf(FolderStore);
    expect((fromUrl as FolderStore).root).toBe('/var/backups/vault');
    expect(fromUrl.location).toBe('file:///var/backups/vault');
    expect(describeStore(fromUrl)).toBe('folder /var/backups/vault (file:///var/backups/vault)');
    expect((createBackupStore('/srv/backups', {}) as FolderStore).root).toBe('/srv/backups');
    expect((createBackupStore('./backups', {}) as FolderStore).root).toBe(resolve('backups'));
    expect((createBackupStore('backups/vault', {}) as FolderStore).root).toBe(join(process.cwd(), 'backups', 'vault'));
  });

  it.each([
    ['', 'is empty'],
    ['gs://bucket/prefix', 'unsupported scheme gs://'],
    ['https://bucket.s3.amazonaws.com/x', 'unsupported scheme https://'],
    ['s3://', 'invalid bucket'],
    ['s3://x/prefix', 'invalid bucket'],
    ['s3://bucket:9000/prefix', 'port'],
    ['s3://bucket/prefix?versioning=1', 'query'],
    ['s3://bucket/a/../b', '".."'],
    ['file://server/share/backups', 'file:///path'],
  ])('refuses %j, saying what it accepts', (location, problem) => {
    const { code, message } = refusal(location);
    expect(code).toBe('config_invalid');
    expect(message).toContain(problem);
    expect(message).toContain('s3://bucket[/prefix], file:///absolute/path or a folder path');
  });

  it('refuses credentials inside an S3 location without repeating them', () => {
    const { code, message } = refusal('s3://AKIAEXAMPLE:topsecret@bucket/prefix');
    expect(code).toBe('config_invalid');
    expect(message).toContain('contains credentials');
    expect(message).not.toContain('topsecret');
    expect(message).not.toContain('AKIAEXAMPLE');
  });
});
