import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import type { VaultTokenInfo } from '../../../src/core/vault/index.js';
import { closedAddr, expectNoSecret, failureOf, memoryLogger, useVault } from './helpers.js';

const vault = useVault();
const canaryPolicy = { 'secret/data/canary': ['read', 'create', 'update'] };

describe.each(['vault', 'openbao'] as const)('AppRole on %s', (flavor) => {
  it('logs in and then makes authenticated calls', async () => {
    const server = await vault.server({ flavor });
    server.putSecret('canary', { ok: 'yes' });
    const appRole = server.createAppRole({ roleName: 'chatops', policies: canaryPolicy, tokenTtl: 60 });
    const client = vault.client(server, { appRole });
    await client.login();
    expect(client.tokenInfo()).toMatchObject({ source: 'approle', ttlSeconds: 60, renewable: true });
    expect(await client.readSecret('secret/data/canary')).toEqual({ ok: 'yes' });
    const login = server.requests.find((r) => r.url === '/v1/auth/approle/login');
    expect(login?.headers['x-vault-token']).toBeUndefined();
  });

  it('a path the policy denies does not cost a new login (and a secret-id use) per call', async () => {
    const server = await vault.server({ flavor });
    const appRole = server.createAppRole({ roleName: 'chatops', policies: canaryPolicy });
    const client = vault.client(server, { appRole });
    for (let i = 0; i < 4; i += 1) {
      const error = await failureOf(client.seal());
      expect(isCoreError(error, 'vault_permission_denied')).toBe(true);
    }
    expect(server.requests.filter((r) => r.url === '/v1/auth/approle/login')).toHaveLength(1);
  });

  it('logs in by itself on the first call', async () => {
    const server = await vault.server({ flavor });
    server.putSecret('canary', { ok: 'yes' });
    const appRole = server.createAppRole({ roleName: 'chatops', policies: canaryPolicy });
    expect(await vault.client(server, { appRole }).readSecret('secret/data/canary')).toEqual({ ok: 'yes' });
  });

  it('refuses wrong credentials without repeating them', async () => {
    const server = await vault.server({ flavor });
    const { roleId } = server.createAppRole({ roleName: 'chatops', policies: canaryPolicy });
    const secretId = 'wrong-secret-id-0123456789';
    const error = await failureOf(vault.client(server, { appRole: { roleId, secretId } }).login());
    expect(isCoreError(error, 'vault_auth_failed')).toBe(true);
    expect(error.message).toContain('VAULT_SECRET_ID');
    expectNoSecret(error, secretId);
  });

  it('logs in again when renewal reaches the max TTL', async () => {
    const server = await vault.server({ flavor });
    const appRole = server.createAppRole({ roleName: 'chatops', policies: canaryPolicy, tokenTtl: 2, tokenMaxTtl: 3 });
    const client = vault.client(server, { appRole });
    await client.login();
    client.startRenewal();
    const [relogin] = (await once(client, 'login')) as [VaultTokenInfo];
    expect(relogin.source).toBe('approle');
    expect(relogin.ttlSeconds).toBe(2);
    const logins = server.requests.filter((r) => r.url === '/v1/auth/approle/login' && r.status === 200);
    expect(logins).toHaveLength(2);
    await client.writeSecret('secret/data/canary', { still: 'works' });
  });
});

describe('token', () => {
  it('learns that a root token never expires and leaves it alone', async () => {
    const server = await vault.server();
    const client = vault.client(server);
    await client.login();
    expect(client.tokenInfo()).toMatchObject({ source: 'token', ttlSeconds: 0, renewable: false });
    expect(client.tokenInfo()?.expiresAt).toBeUndefined();
  });

  it('renews a short-lived token past its first TTL', async () => {
    const server = await vault.server();
    const token = server.createToken({ policies: canaryPolicy, ttl: 3, renewable: true });
    const client = vault.client(server, { token });
    await client.login();
    expect(client.tokenInfo()).toMatchObject({ ttlSeconds: 3, renewable: true });
    const firstExpiry = client.tokenInfo()?.expiresAt?.getTime() ?? 0;
    client.startRenewal();
    await once(client, 'renewed');
    const [second] = (await once(client, 'renewed')) as [VaultTokenInfo];
    // Two renewals at 2/3 of a 3 s TTL take us past the original expiry.
    expect(second.expiresAt?.getTime()).toBeGreaterThan(firstExpiry);
    expect(Date.now()).toBeGreaterThan(firstExpiry);
    await client.writeSecret('secret/data/canary', { renewed: true });
  });

  it('logs renewal failures without the token and retries', async () => {
    const server = await vault.server();
    const token = server.createToken({ policies: canaryPolicy, ttl: 3, renewable: true });
    const { logger, lines } = memoryLogger();
    const client = vault.client(server, { token, logger });
    await client.login();
    server.faults.failPaths = { 'auth/token/renew-self': { status: 500, message: 'storage unavailable' } };
    client.startRenewal();
    await once(client, 'renewalFailed');
    server.faults.failPaths = {};
    await once(client, 'renewed');
    const log = lines().join('\n');
    expect(log).toContain('Vault token renewal failed; retrying');
    expectNoSecret(log, token);
  });

  it('refuses an unknown token without repeating it', async () => {
    const server = await vault.server();
    const token = `hvs.${'x'.repeat(24)}`;
    const error = await failureOf(vault.client(server, { token }).login());
    expect(isCoreError(error, 'vault_auth_failed')).toBe(true);
    expectNoSecret(error, token);
  });

  it('keeps the token out of network errors', async () => {
    const token = `hvs.${'n'.repeat(24)}`;
    const client = vault.client(await closedAddr(), { token });
    for (const call of [client.login(), client.readSecret('secret/data/x'), client.snapshot(), client.seal()]) {
      const error = await failureOf(call);
      expect(isCoreError(error, 'vault_unreachable')).toBe(true);
      expectNoSecret(error, token);
    }
  });

  it('maps a slow answer to vault_timeout', async () => {
    const server = await vault.server();
    server.faults.latencyMs = 1000;
    const error = await failureOf(vault.client(server, { requestTimeoutMs: 100 }).readSecret('secret/data/x'));
    expect(isCoreError(error, 'vault_timeout')).toBe(true);
    expect(error.message).toContain('100 ms');
  });
});
