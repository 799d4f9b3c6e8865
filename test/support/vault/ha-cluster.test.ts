/** The HA test cluster answers as vault-api.md §1.4, §2 and §3 describe for active, standby and quorum loss. */
import { afterEach, describe, expect, it } from 'vitest';
import { startHaCluster, type HaCluster } from './ha-cluster.js';

let cluster: HaCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function get(url: string, path: string, token?: string): Promise<{ status: number; json: Record<string, unknown> | undefined; location: string | null }> {
  const res = await fetch(`${url}/v1/${path}`, { headers: token ? { 'X-Vault-Token': token } : {}, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, location: res.headers.get('location') };
}

async function seal(url: string, token: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}/v1/sys/seal`, { method: 'PUT', headers: { 'X-Vault-Token': token }, body: '{}' });
  return { status: res.status, body: await res.text() };
}

describe('HA test cluster', () => {
  it('has one active node; standbys answer 429, name the leader, redirect snapshots and refuse to seal', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const [a, b] = cluster.urls as [string, string, string];
    expect((await get(a, 'sys/health')).status).toBe(200);
    const standbyHealth = await get(b, 'sys/health');
    expect(standbyHealth.status).toBe(429);
    expect(standbyHealth.json).toMatchObject({ standby: true, sealed: false, ha_connection_healthy: true });
    expect((await get(b, 'sys/leader')).json).toMatchObject({ ha_enabled: true, is_self: false, leader_address: a });
    const snap = await get(b, 'sys/storage/raft/snapshot', cluster.rootToken);
    expect(snap.status).toBe(307);
    expect(snap.location).toBe(`${a}/v1/sys/storage/raft/snapshot`);
    expect(await seal(b, cluster.rootToken)).toEqual({ status: 500, body: '{"errors":["vault cannot seal when in standby mode; please restart instead"]}\n' });
    const autopilot = await get(a, 'sys/storage/raft/autopilot/state', cluster.rootToken);
    expect((autopilot.json?.data as { voters: string[]; healthy: boolean }).voters).toEqual(['node1', 'node2', 'node3']);
    // One replicated state: a secret written through the standby is read on the active node.
    cluster.nodes[1]?.putSecret('app/db', { password: 'x' });
    expect((await get(a, 'secret/data/app/db', cluster.rootToken)).status).toBe(200);
  });

  it('a standby takes over when the active seals; with quorum lost nobody serves; unsealing brings a leader back', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const [a, b, c] = cluster.urls as [string, string, string];
    expect((await seal(a, cluster.rootToken)).status).toBe(204);
    expect(cluster.activeUrl()).toBe(b);
    expect((await get(b, 'sys/health')).status).toBe(200);
    expect((await get(c, 'sys/leader')).json).toMatchObject({ is_self: false, leader_address: b });

    expect((await seal(b, cluster.rootToken)).status).toBe(204);
    expect(cluster.activeUrl()).toBeUndefined();
    const alone = await get(c, 'sys/health');
    expect(alone.status).toBe(474);
    expect(alone.json).toMatchObject({ sealed: false, standby: true, ha_connection_healthy: false });
    expect((await get(c, 'sys/leader')).json).toMatchObject({ is_self: false, leader_address: '' });
    expect(await get(c, 'secret/data/app/db', cluster.rootToken)).toMatchObject({ status: 500, json: { errors: ['local node not active but active cluster node not found'] } });
    expect(cluster.states().map((s) => s.state)).toEqual(['sealed', 'sealed', 'standby-no-leader']);

    for (const key of cluster.nodes[0]?.unsealKeys().slice(0, 3) ?? []) {
      await fetch(`${a}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
    }
    expect(cluster.activeUrl()).toBe(a);
    expect((await get(c, 'sys/health')).status).toBe(429);
  });
});
