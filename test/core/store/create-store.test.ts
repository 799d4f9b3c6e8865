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

describe('BACKUP_STORE values that look like URLs but are not supported ones (issue 7)', () => {
  it.each([
    ['s3:/my-bucket/vault', 'is not an S3 URL: it needs two slashes, as in s3://my-bucket/vault'],
    ['s3:my-bucket', 'is not an S3 URL: it needs two slashes, as in s3://my-bucket'],
    ['S3:/my-bucket/vault', 'is not an S3 URL'],
    ['file:/var/backups', 'it needs three slashes: file:///path'],
    ['ftp:host/path', 'unsupported scheme ftp:'],
  ])('refuses %j instead of taking it for a relative folder', (location, problem) => {
    const { code, message } = refusal(location);
    expect(code).toBe('config_invalid');
    expect(message).toContain(problem);
  });

  it.each([
    ['s3://AKIAEXAMPLE:top/secret@bucket/prefix', ['AKIAEXAMPLE', 'top/secret', 'secret@']],
    ['s3:/AKIAEXAMPLE:topsecret@bucket/prefix', ['AKIAEXAMPLE', 'topsecret']],
    ['s3://bucket/prefix?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeef', ['AKIAEXAMPLE', 'deadbeef']],
    ['gs://user:hunter2@bucket/x#token=abc', ['hunter2', 'token=abc']],
  ])('never echoes credentials or query strings of %j', (location, secrets) => {
    const { message } = refusal(location);
    for (const secret of secrets) expect(message).not.toContain(secret);
  });

  it('a folder path that merely contains a colon, or a Windows-style drive, is still a folder', () => {
    expect(createBackupStore('/srv/backups:old', {})).toBeInstanceOf(FolderStore);
    expect(createBackupStore('./vault:prod', {})).toBeInstanceOf(FolderStore);
  });
});

describe('BACKUP_STORE at start-up (loadConfig)', () => {
  const base = { BACKUP_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };
  it('refuses a one-slash s3: value in one line with the right form, and never echoes credentials', async () => {
    const { loadConfig } = await import('../../../src/core/config/load-config.js');
    const slash = loadConfig({ ...base, BACKUP_STORE: 's3:/my-bucket/vault' }, ['backup']);
    expect(slash.ok ? [] : slash.problems).toEqual([expect.stringMatching(/^BACKUP_STORE is not an S3 URL: it needs two slashes, as in s3:\/\/my-bucket\/vault \("s3:\/my-bucket\/vault"\); expected s3:\/\/bucket\[\/prefix\], file:\/\/\/absolute\/path or a folder path/)]);
    const creds = loadConfig({ ...base, BACKUP_STORE: 's3://AKIAEXAMPLE:wJalr/XUtnFEMI@my-bucket/vault?x=1' }, ['backup']);
    const lines = creds.ok ? [] : creds.problems;
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/AKIAEXAMPLE|wJalr|XUtnFEMI|x=1/);
  });
});
