/**
 * @module test/core/vault/helpers
 * Shared set-up for the Vault client tests: test servers and clients that are cleaned up after each
 * test, stream collection, hashing, and a check that no secret reaches an error or a log line.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { pino, type Logger } from 'pino';
import { afterEach, expect } from 'vitest';
import { startVaultServer } from '../../support/vault/server.js';
import type { VaultServerOptions, VaultTestServer } from '../../support/vault/types.js';
import { VaultClient, type VaultClientOptions } from '../../../src/core/vault/index.js';

/** Registers clean-up in the calling test file and returns factories bound to it. */
export function useVault() {
  const servers: VaultTestServer[] = [];
  const clients: VaultClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  return {
    async server(options?: VaultServerOptions): Promise<VaultTestServer> {
      const server = await startVaultServer(options);
      servers.push(server);
      return server;
    },
    client(server: VaultTestServer | string, options: Partial<VaultClientOptions> = {}): VaultClient {
      const addr = typeof server === 'string' ? server : server.url;
      const token = typeof server === 'string' ? undefined : server.rootToken;
      const client = new VaultClient({ addr, ...(token && !options.appRole ? { token } : {}), ...options });
      clients.push(client);
      return client;
    },
  };
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a rejection, got success');
}

/** Fails if the secret appears anywhere in the error, its causes or their properties. */
export function expectNoSecret(value: unknown, ...secrets: string[]): void {
  const text = typeof value === 'string' ? value : inspect(value, { depth: 12, showHidden: true });
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** A pino logger whose lines are kept in memory. */
export function memoryLogger(): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines: () => [...lines] };
}

/** An address where nothing listens. */
export async function closedAddr(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Unseals with plain HTTP, as a key holder's CLI would. */
export async function unseal(server: VaultTestServer): Promise<void> {
  for (const key of server.unsealKeys()) {
    const res = await fetch(`${server.url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
    const status = (await res.json()) as { sealed: boolean };
    if (!status.sealed) return;
  }
  throw new Error('still sealed after every key');
}

/** The members of a gzip'd tar (a raft snapshot), by name. */
export async function archiveMembers(archive: Buffer): Promise<Map<string, Buffer>> {
  const members = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    collect(stream)
      .then((bytes) => {
        members.set(header.name, bytes);
        next();
      })
      .catch(next);
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(gunzipSync(archive));
  await done;
  return members;
}
