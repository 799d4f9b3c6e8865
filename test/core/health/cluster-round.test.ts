/**
 * Health rounds over every node of the HA test cluster (VAULT_NODE_ADDRS): standbys are healthy,
 * a sealed node is named whichever role it had, a lost quorum is "no leader", and a node that
 * stops answering is noticed without calling the cluster unreachable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runHealthRound, type CheckName, type HealthRound } from '../../../src/core/health/index.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { startHaCluster, type HaCluster } from '../../support/vault/ha-cluster.js';

const byName = (round: HealthRound, name: CheckName) => round.results.find((r) => r.name === name) ?? { state: 'missing', detail: '' };

describe('health round over an HA cluster', () => {
  let cluster: HaCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const round = (c: HaCluster): Promise<HealthRound> => {
    const nodes = c.urls.map((addr) => new VaultClient({ addr, token: c.rootToken, requestTimeoutMs: 1000 }));
    return runHealthRound({ vault: nodes[0] as VaultClient, nodes, timeoutMs: 1000, latencyWarnMs: 1000 });
  };
  const seal = (url: string, token: string) => fetch(`${url}/v1/sys/seal`, { method: 'PUT', headers: { 'X-Vault-Token': token }, body: '{}' });

  it('an active node and two standbys pass every check', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const r = await round(cluster);
    expect(r.results.filter((x) => x.state !== 'pass')).toEqual([]);
    expect(byName(r, 'reachable').detail).toBe('3 of 3 nodes answer');
    expect(byName(r, 'leader').detail).toBe('this node is the active leader');
  });

  it('the active node sealed: a standby took over, the sealed node is named, leadership passes', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const [a, b] = cluster.urls as [string, string, string];
    await seal(a, cluster.rootToken);
    const r = await round(cluster);
    expect(byName(r, 'sealed')).toMatchObject({ state: 'fail', detail: `1 of 3 nodes sealed (${a}); the cluster still serves from ${b}.` });
    expect(byName(r, 'leader').state).toBe('pass');
    expect(byName(r, 'reachable').state).toBe('pass');
  });

  it('two of three sealed: quorum lost, no leader', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const [a, b] = cluster.urls as [string, string, string];
    await seal(a, cluster.rootToken);
    await seal(b, cluster.rootToken);
    const r = await round(cluster);
    expect(byName(r, 'sealed').detail).toContain('no node is active');
    expect(byName(r, 'leader')).toMatchObject({ state: 'fail' });
    expect(byName(r, 'leader').detail).toContain('No active leader');
  });

  it('a node that stops answering is named, and the cluster is still reachable', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const c = cluster.urls[2] as string;
    await cluster.nodes[2]?.stop();
    const r = await round(cluster);
    expect(byName(r, 'reachable').state).toBe('pass');
    expect(byName(r, 'reachable').detail).toContain(`2 of 3 nodes answer; silent: ${c}`);
  });
});
