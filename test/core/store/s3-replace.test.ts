/**
 * A replace (`put` with `replaceExisting`, what backup-key rotation uses) that fails on S3 never
 * deletes the object it was replacing: s3rver behind a proxy that answers every CopyObject to the
 * backup's key with 503, as an overloaded endpoint would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { S3Store } from '../../../src/core/store/s3-store.js';
import { startS3Server, type S3TestServer } from '../../support/s3-server.js';
import { readAll } from './backup-store-contract.js';

const KEY = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
let server: S3TestServer;
let proxy: http.Server;
let failCopies = false;

beforeAll(async () => {
  server = await startS3Server();
  const target = new URL(server.endpoint);
  proxy = http.createServer((req, res) => {
    if (failCopies && req.method === 'PUT' && req.headers['x-amz-copy-source'] !== undefined) {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<Error><Code>ServiceUnavailable</Code><Message>slow down</Message></Error>');
      return;
    }
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 500, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
});

it('a replace whose copy fails leaves the original object and its metadata under the key', async () => {
  const store = new S3Store({
    bucket: server.bucket,
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: server.credentials,
  });
  try {
    failCopies = false;
    await store.put(KEY, Readable.from([Buffer.from('old bytes')]), () => ({ 'key-id': 'k1' }));
    failCopies = true;
    await expect(store.put(KEY, Readable.from([Buffer.from('new bytes')]), () => ({ 'key-id': 'k2' }), { replaceExisting: true })).rejects.toThrow(/Could not write/);
    failCopies = false;
    expect((await readAll(await store.get(KEY))).toString()).toBe('old bytes');
    expect((await store.stat(KEY))?.metadata['key-id']).toBe('k1');
  } finally {
    store.destroy();
  }
});
