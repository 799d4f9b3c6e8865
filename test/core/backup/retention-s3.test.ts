/**
 * Retention against s3rver with more than 1,000 objects: listing must follow pagination, and the
 * survivors must be exactly the objects of the newest N dates — counted from object names.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectKeyFor } from '../../../src/core/backup/object-names.js';
import { startS3Server, type S3TestServer } from '../../support/s3-server.js';
import { backupFixture, type BackupFixture } from '../../support/backup-fixture.js';

let s3: S3TestServer;
let f: BackupFixture;
const prefix = 'retention';

beforeAll(async () => {
  s3 = await startS3Server();
  f = await backupFixture({ s3, s3Prefix: prefix, env: { RETAIN_DAILY: '30', RETAIN_MONTHLY: '12' } });
}, 60_000);
afterAll(async () => {
  await f?.close();
  await s3?.stop();
});

describe('retention over more than 1,000 objects in S3', () => {
  it('keeps exactly the 30 newest backup days and 12 newest months, and audits every deletion', async () => {
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials });
    const keys: string[] = [];
    // 60 days × 18 backups a day = 1,080 daily objects, plus 15 monthlies.
    const start = Date.UTC(2025, 9, 1, 0, 0, 0);
    for (let day = 0; day < 60; day += 1) {
      for (let n = 0; n < 18; n += 1) keys.push(objectKeyFor('daily', new Date(start + day * 86_400_000 + n * 60_000)));
    }
    for (let m = 0; m < 15; m += 1) keys.push(objectKeyFor('monthly', new Date(Date.UTC(2024, 9 + m, 1, 2))));
    for (let i = 0; i < keys.length; i += 40) {
      await Promise.all(keys.slice(i, i + 40).map((key) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}`, Body: 'x' }))));
    }

    const dry = await f.engine.retention(true, 'cli');
    expect(dry.plan.keep.length + dry.plan.delete.length).toBe(keys.length);
    const listedAfterDryRun: string[] = [];
    for await (const o of f.engine.store.list()) listedAfterDryRun.push(o.key);
    expect(listedAfterDryRun).toHaveLength(keys.length);

    const outcome = await f.engine.retention(false, 'cli');
    expect(outcome.failed).toEqual([]);
    const left: string[] = [];
    for await (const o of f.engine.store.list()) left.push(o.key);

    const keptDays = new Set(left.filter((k) => k.startsWith('daily/')).map((k) => k.split('/')[1]));
    const expectedDays = new Set(Array.from({ length: 30 }, (_, i) => new Date(start + (59 - i) * 86_400_000).toISOString().slice(0, 10)));
    expect(keptDays).toEqual(expectedDays);
    expect(left.filter((k) => k.startsWith('daily/'))).toHaveLength(30 * 18);
    expect(left.filter((k) => k.startsWith('monthly/')).map((k) => k.split('/')[1]).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2025, 0 + i, 1)).toISOString().slice(0, 7)),
    );
    expect(outcome.deleted).toHaveLength(30 * 18 + 3);
    const audited = f.audit.tail(2000).filter((r) => r.event === 'backup.deleted');
    expect(audited).toHaveLength(outcome.deleted.length);
  }, 120_000);
});
