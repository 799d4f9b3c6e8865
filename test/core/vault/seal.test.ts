import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { expectNoSecret, failureOf, unseal, useVault } from './helpers.js';

const vault = useVault();

describe.each(['vault', 'openbao'] as const)('seal on %s', (flavor) => {
  it('seals with root; after unsealing by key holders it serves again', async () => {
    const server = await vault.server({ flavor });
    const client = vault.client(server);
    await client.seal();
    expect((await client.health()).state).toBe('sealed');
    expect(await client.sealStatus()).toMatchObject({ sealed: true, initialized: true, progress: 0 });

    const read = await failureOf(client.readSecret('secret/data/anything'));
    expect(isCoreError(read, 'vault_sealed')).toBe(true);
    expect(read.message).toBe(`Vault at ${server.url} is sealed; unseal it with your key holders' CLI`);
    const leader = await failureOf(client.leader());
    expect(isCoreError(leader, 'vault_sealed')).toBe(true);
    const snapshot = await failureOf(client.snapshot());
    expect(isCoreError(snapshot, 'vault_sealed')).toBe(true);

    await unseal(server);
    expect((await client.health()).state).toBe('active');
    expect((await client.sealStatus()).sealed).toBe(false);
    await client.writeSecret('secret/data/after-unseal', { ok: true });
  });

  it('explains which capability a token without sudo lacks', async () => {
    const server = await vault.server({ flavor });
    const token = server.createToken({ policies: { 'sys/seal': ['update'] } });
    const error = await failureOf(vault.client(server, { token }).seal());
    expect(isCoreError(error, 'vault_permission_denied')).toBe(true);
    expect(error.message).toBe("permission denied for sys/seal: the token's policy needs update and sudo on it");
    expectNoSecret(error, token, server.rootToken);
    expect(server.state.sealed).toBe(false);
  });
});

describe('seal on a standby', () => {
  it('says the node is a standby', async () => {
    const active = await vault.server();
    const standby = await vault.server();
    standby.faults.standby = { activeAddr: active.url };
    const error = await failureOf(vault.client(standby).seal());
    expect(isCoreError(error, 'vault_standby')).toBe(true);
  });
});

describe('leader, autopilot, rekey, metrics', () => {
  it('reads Prometheus metrics', async () => {
    const server = await vault.server();
    expect(await vault.client(server).metrics()).toMatch(/^vault_/m);
  });

  it('reads the leader of an active node', async () => {
    const server = await vault.server();
    const leader = await vault.client(server).leader();
    expect(leader).toMatchObject({ haEnabled: true, isSelf: true });
  });

  it('reads autopilot health', async () => {
    const server = await vault.server();
    const client = vault.client(server);
    expect((await client.autopilotState())?.healthy).toBe(true);
    server.faults.autopilotUnhealthy = true;
    expect((await client.autopilotState())?.healthy).toBe(false);
  });

  it('reads rekey progress on Vault', async () => {
    const server = await vault.server({ shares: 5, threshold: 3 });
    const status = await vault.client(server).rekeyStatus();
    expect(status).toMatchObject({ started: false, t: 0, n: 0, progress: 0 });
  });

  it('says the rekey endpoints are disabled on OpenBao', async () => {
    const server = await vault.server({ flavor: 'openbao' });
    const error = await failureOf(vault.client(server).rekeyStatus());
    expect(error.message).toContain('rekey endpoints are disabled on this OpenBao server');
  });
});
