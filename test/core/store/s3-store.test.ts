/**
 * The S3 store against s3rver, a real S3 implementation in its own process, over HTTP: the shared
 * contract at the bucket root and under a prefix, then what only S3 has (aws-chunked framing,
 * pagination, staging under `.incoming/`, the multipart copy used above 5 GiB).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupStore } from '../../../src/core/store/create-store.js';
import { S3Store, type S3StoreOptions } from '../../../src/core/store/s3-store.js';
import { startS3Server, type S3TestServer } from '../../support/s3-server.js';
import {
  DESIGN_METADATA,
  TEST_PART_SIZE,
  chunked,
  describeBackupStoreContract,
  readAll,
  type StoreUnderTest,
} from './backup-store-contract.js';

let server: S3TestServer;
let raw: S3Client;

beforeAll(async () => {
  server = await startS3Server();
  // A plain client for looking underneath the store; Buffer bodies only, so no chunk framing.
  raw = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: server.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  raw?.destroy();
  await server?.stop();
});

async function freshBucket(): Promise<string> {
  const bucket = `t-${randomUUID()}`;
  await raw.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function rawKeys(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await raw.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function putRaw(bucket: string, keys: string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let key = keys[next++]; key !== undefined; key = keys[next++]) {
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(key) }));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function s3Options(bucket: string, extra: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    bucket,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    partSize: TEST_PART_SIZE,
    ...extra,
  };
}

/** Opens a store on a fresh bucket; with a prefix, a decoy outside it must stay invisible and untouched. */
function openS3(prefix?: string): () => Promise<StoreUnderTest> {
  return async () => {
    const bucket = await freshBucket();
    const decoy = 'elsewhere/not-a-backup.enc';
    if (prefix !== undefined) await putRaw(bucket, [decoy]);
    const store = new S3Store(s3Options(bucket, prefix === undefined ? {} : { prefix }));
    const full = (key: string): string => (prefix === undefined ? key : `${prefix}/${key}`);
    return {
      store,
      rawNames: async () => (await rawKeys(bucket)).filter((key) => key !== decoy),
      pendingUploads: () => server.pendingUploads(),
      seed: (keys) => putRaw(bucket, keys.map(full)),
      close: async () => {
        if (prefix !== undefined) expect(await rawKeys(bucket)).toContain(decoy);
        store.destroy();
      },
    };
  };
}

describeBackupStoreContract('S3 (s3rver), bucket root', openS3());
describeBackupStoreContract('S3 (s3rver), under a prefix', openS3('some/prefix'));

describe('S3Store', () => {
  const key = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';

  it('stores a streamed upload byte for byte with the default options (no aws-chunked framing)', async () => {
    const bucket = await freshBucket();
    const store = createBackupStore(`s3://${bucket}/prod`, {
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
    });
    const bytes = randomBytes(1024 * 1024);
    expect(await store.put(key, chunked(bytes, 10_000), () => DESIGN_METADATA)).toEqual({ size: bytes.length });
    expect((await readAll(await store.get(key))).equals(bytes)).toBe(true);
    // And as any other S3 client sees it.
    const { Body, ContentLength } = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: `prod/${key}` }));
    expect(ContentLength).toBe(bytes.length);
    expect((await readAll(Body as Readable)).equals(bytes)).toBe(true);
  });

  it('takes credentials from the AWS default chain when none are given', async () => {
    const bucket = await freshBucket();
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    try {
      const store = createBackupStore(`s3://${bucket}`, { endpoint: server.endpoint, forcePathStyle: true });
      await store.put(key, chunked(randomBytes(100)), () => DESIGN_METADATA);
      expect((await store.stat(key))?.size).toBe(100);
    } finally {
      restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
      restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });

  it('stages uploads under .incoming/ and never lists them', async () => {
    const bucket = await freshBucket();
    const store = new S3Store(s3Options(bucket, { prefix: 'prod' }));
    await putRaw(bucket, ['prod/.incoming/left-by-a-killed-process']);
    await store.put(key, chunked(randomBytes(10)), () => DESIGN_METADATA);
    expect(await rawKeys(bucket)).toEqual(['prod/.incoming/left-by-a-killed-process', `prod/${key}`]);
    const listed = [];
    for await (const object of store.list()) listed.push(object.key);
    expect(listed).toEqual([key]);
    store.destroy();
  });

  it('copies part by part above the single-copy limit (5 GiB on S3, lowered here) and keeps bytes and metadata', async () => {
    const bucket = await freshBucket();
    const store = new S3Store(s3Options(bucket, { maxSingleCopyBytes: 1024 * 1024, copyPartSize: TEST_PART_SIZE }));
    const bytes = randomBytes(2 * TEST_PART_SIZE + 777);
    await store.put(key, chunked(bytes), () => DESIGN_METADATA);
    expect((await readAll(await store.get(key))).equals(bytes)).toBe(true);
    expect(await store.stat(key)).toEqual({ key, size: bytes.length, metadata: DESIGN_METADATA });
    expect(await rawKeys(bucket)).toEqual([key]);
    expect(await server.pendingUploads()).toBe(0);
    store.destroy();
  });

  it('fails with store_failed, leaving nothing, when the bucket does not exist', async () => {
    const store = new S3Store(s3Options('no-such-bucket'));
    const error: unknown = await store.put(key, chunked(randomBytes(10)), () => DESIGN_METADATA).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'store_failed' });
    expect((error as Error).message).toContain('s3://no-such-bucket');
    expect((error as Error).message).not.toContain('S3RVER');
    await expect(store.get(key)).rejects.toMatchObject({ code: 'store_failed' });
    store.destroy();
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
