import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { collect, failureOf, useVault } from './helpers.js';

const vault = useVault();
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const caCert = fixture('localhost-cert.pem').pathname;
const proxies: Server[] = [];

afterEach(() => {
  for (const proxy of proxies.splice(0)) {
    proxy.closeAllConnections();
    proxy.close();
  }
});

/** A TLS listener (self-signed certificate from fixtures/) in front of the test server, as a load balancer would be. */
async function tlsFront(upstream: string): Promise<string> {
  const target = new URL(upstream);
  const proxy = createServer({ key: readFileSync(fixture('localhost-key.pem')), cert: readFileSync(caCert) }, (req, res) => {
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe('TLS with VAULT_CACERT', () => {
  it('trusts the given CA for JSON calls, health and snapshots', async () => {
    const server = await vault.server({ snapshotSize: 512 * 1024 });
    const addr = await tlsFront(server.url);
    const client = vault.client(addr, { token: server.rootToken, caCert });
    expect((await client.health()).state).toBe('active');
    await client.writeSecret('secret/data/tls', { over: 'tls' });
    expect(await client.readSecret('secret/data/tls')).toEqual({ over: 'tls' });
    // The whole snapshot came through the TLS hop: Vault's own checksums and signature verify.
    const snapshot = await collect(await client.snapshot());
    const res = await fetch(`${server.url}/v1/sys/storage/raft/snapshot`, { method: 'POST', headers: { 'X-Vault-Token': server.rootToken }, body: snapshot });
    expect(res.status).toBe(204);
    expect(snapshot.length).toBeGreaterThan(400 * 1024);
  });

  it('never follows a redirect from https to plain http with the token', async () => {
    const server = await vault.server();
    server.putSecret('canary', { ok: 'yes' });
    const proxy = createServer({ key: readFileSync(fixture('localhost-key.pem')), cert: readFileSync(caCert) }, (req, res) => {
      res.writeHead(307, { Location: `${server.url}${req.url ?? '/'}` }).end();
    });
    proxies.push(proxy);
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const client = vault.client(`https://127.0.0.1:${(proxy.address() as AddressInfo).port}`, { token: server.rootToken, caCert });
    await expect(client.readSecret('secret/data/canary')).rejects.toThrow();
    expect(server.requests.filter((r) => r.headers['x-vault-token'] !== undefined)).toEqual([]);
  });

  it('says to set VAULT_CACERT when the certificate is not trusted', async () => {
    const server = await vault.server();
    const client = vault.client(await tlsFront(server.url), { token: server.rootToken });
    for (const call of [client.health(), client.readSecret('secret/data/tls'), client.snapshot()]) {
      const error = await failureOf(call);
      expect(isCoreError(error, 'vault_unreachable')).toBe(true);
      expect(error.message).toContain('VAULT_CACERT');
    }
  });

  it('names an unreadable CA file', () => {
    expect(() => vault.client('https://127.0.0.1:1', { caCert: '/nonexistent/ca.pem' })).toThrow(/VAULT_CACERT=\/nonexistent\/ca.pem/);
  });
});
