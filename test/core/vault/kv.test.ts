import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { failureOf, useVault } from './helpers.js';

const vault = useVault();

describe.each(['vault', 'openbao'] as const)('KV v2 on %s', (flavor) => {
  it('writes new versions and reads the latest data', async () => {
    const server = await vault.server({ flavor });
    const client = vault.client(server);
    expect((await client.writeSecret('secret/data/canary', { value: 'one' })).version).toBe(1);
    const second = await client.writeSecret('secret/data/canary', { value: 'two', n: 2 });
    expect(second.version).toBe(2);
    expect(second.createdTime).not.toBe('');
    expect(await client.readSecret('secret/data/canary')).toEqual({ value: 'two', n: 2 });
  });

  it('reads a secret put in place by an operator', async () => {
    const server = await vault.server({ flavor });
    server.putSecret('canary', { alive: 'yes' });
    expect(await vault.client(server).readSecret('secret/data/canary')).toEqual({ alive: 'yes' });
  });

  it('names the path of a missing secret', async () => {
    const server = await vault.server({ flavor });
    const error = await failureOf(vault.client(server).readSecret('secret/data/nope'));
    expect(isCoreError(error, 'vault_not_found')).toBe(true);
    expect(error.message).toContain('secret/data/nope');
  });

  it('names the capability a read-only token lacks to write', async () => {
    const server = await vault.server({ flavor });
    const token = server.createToken({ policies: { 'secret/data/app': ['read'] } });
    const error = await failureOf(vault.client(server, { token }).writeSecret('secret/data/app', { a: 1 }));
    expect(isCoreError(error, 'vault_permission_denied')).toBe(true);
    expect(error.message).toBe("permission denied for secret/data/app: the token's policy needs create and update on it");
  });
});

describe('namespace', () => {
  it('is sent with KV calls', async () => {
    const server = await vault.server();
    const client = vault.client(server, { namespace: 'team-a' });
    await client.writeSecret('secret/data/ns', { a: 1 });
    const request = server.requests.find((r) => r.url === '/v1/secret/data/ns');
    expect(request?.headers['x-vault-namespace']).toBe('team-a');
  });
});
