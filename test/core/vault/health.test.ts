import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { closedAddr, failureOf, useVault } from './helpers.js';

const vault = useVault();

describe.each(['vault', 'openbao'] as const)('health on %s', (flavor) => {
  it('reports an active node', async () => {
    const server = await vault.server({ flavor });
    const health = await vault.client(server).health();
    expect(health).toMatchObject({ code: 200, state: 'active', initialized: true, sealed: false, standby: false });
    expect(health.version).not.toBe('');
    expect(health.clusterName).toBeTruthy();
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a standby node', async () => {
    const active = await vault.server({ flavor });
    const standby = await vault.server({ flavor });
    standby.faults.standby = { activeAddr: active.url };
    const health = await vault.client(standby).health();
    expect(health).toMatchObject({ code: 429, state: 'standby', sealed: false, standby: true });
  });

  it('reports a sealed node without its cluster name', async () => {
    const server = await vault.server({ flavor, sealed: true });
    const health = await vault.client(server).health();
    expect(health).toMatchObject({ code: 503, state: 'sealed', initialized: true, sealed: true });
    expect(health.clusterName).toBeUndefined();
  });

  it('reports an uninitialised node', async () => {
    const server = await vault.server({ flavor, initialized: false });
    const health = await vault.client(server).health();
    expect(health).toMatchObject({ code: 501, state: 'uninitialized', initialized: false });
  });
});

describe('health failures', () => {
  it('names the address when nothing answers', async () => {
    const addr = await closedAddr();
    const error = await failureOf(vault.client(addr).health());
    expect(isCoreError(error, 'vault_unreachable')).toBe(true);
    expect(error.message).toContain(addr);
  });

  it('maps an internal error', async () => {
    const server = await vault.server();
    server.faults.failPaths = { 'sys/health': { status: 500 } };
    const error = await failureOf(vault.client(server).health());
    expect(isCoreError(error, 'vault_server_error')).toBe(true);
  });
});
