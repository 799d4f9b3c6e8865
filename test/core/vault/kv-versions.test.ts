/**
 * KV v2 by mount and path, as recovery and rotation use it: metadata (current version, deleted),
 * a version's data, a recursive listing, check-and-set writes, and the mount preflight that tells
 * KV v1 from v2 — all over HTTP against the Vault test server.
 */
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { failureOf, useVault } from './helpers.js';

const vault = useVault();

describe('KV v2 versions, listing and check-and-set', () => {
  it('reports the current version and refuses a write whose check-and-set is stale', async () => {
    const server = await vault.server();
    const client = vault.client(server);
    expect(await client.kvMetadata('secret', 'smtp')).toBeUndefined();
    expect((await client.kvWrite('secret', 'smtp', { password: 'a' }, 0)).version).toBe(1);
    expect((await client.kvWrite('secret', 'smtp', { password: 'b' }, 1)).version).toBe(2);
    expect(await client.kvMetadata('secret', 'smtp')).toEqual({ currentVersion: 2, currentDeleted: false, casRequired: false });
    expect(await client.kvReadVersion('secret', 'smtp', 1)).toEqual({ password: 'a' });
    const stale = await failureOf(client.kvWrite('secret', 'smtp', { password: 'c' }, 1));
    expect(stale.message).toContain('check-and-set parameter did not match the current version');
    expect(await client.kvReadVersion('secret', 'smtp')).toEqual({ password: 'b' });
  });

  it('lists every secret under a folder, recursively, and nothing outside it', async () => {
    const server = await vault.server();
    for (const p of ['tenants/acme/db', 'tenants/acme/mail/dkim', 'tenants/acmex/db', 'tenants/other/db']) server.putSecret(p, { v: p });
    const client = vault.client(server);
    expect(await client.kvListRecursive('secret', 'tenants/acme/')).toEqual(['tenants/acme/db', 'tenants/acme/mail/dkim']);
    expect(await client.kvListRecursive('secret', 'nothing/')).toEqual([]);
  });

  it('tells a KV v1 mount from the KV v2 one, and says nothing of an unknown mount', async () => {
    const server = await vault.server({ kvV1Mounts: ['kv/'] });
    const client = vault.client(server);
    expect(await client.mountInfo('secret/smtp')).toEqual({ path: 'secret/', type: 'kv', version: '2' });
    expect(await client.mountInfo('kv/smtp')).toEqual({ path: 'kv/', type: 'kv', version: '1' });
    expect(await client.mountInfo('nope/smtp')).toBeUndefined();
    const deleted = await failureOf(client.kvReadVersion('secret', 'absent'));
    expect(isCoreError(deleted, 'vault_not_found')).toBe(true);
  });
});
