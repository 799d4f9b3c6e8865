/**
 * An S3 endpoint that accepts connections and never answers must fail a backup, not hold it (and
 * the single backup slot) forever.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/core/store/s3-store.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('S3 store against a silent endpoint', () => {
  it('gives up after the idle timeout with an error naming the store', async () => {
    server = createServer((socket) => { sockets.push(socket); socket.on('data', () => undefined); });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = new S3Store({
      bucket: 'b', endpoint, forcePathStyle: true, region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, idleTimeoutMs: 500, connectionTimeoutMs: 500,
    });
    await expect(store.stat('daily/2025-11-26/vault-snapshot-20251126-020000.enc')).rejects.toThrow(/s3:\/\/b/);
    await expect(store.put('daily/2025-11-26/vault-snapshot-20251126-020000.enc', Readable.from([Buffer.alloc(1024)]), () => ({}))).rejects.toThrow(/s3:\/\/b/);
  }, 30_000);
});
