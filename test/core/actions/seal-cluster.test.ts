/**
 * The cluster-wide seal (DESIGN §6) against the HA test cluster, through the real Vault client:
 * each node that takes over is sealed in turn until none serves; standbys and unreachable nodes
 * are reported, and a takeover that is still possible is waited for (bounded).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sealAction } from '../../../src/core/actions/index.js';
import { sealCluster } from '../../../src/core/actions/seal-cluster.js';
import { loadConfig } from '../../../src/core/config/index.js';
import { VaultClient } from '../../../src/core/vault/client.js';
import { startHaCluster, type HaCluster } from '../../support/vault/ha-cluster.js';

let cluster: HaCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const ctx = { requestId: 'req_1', action: 'seal', actor: 'U1', requester: 'U0', approvers: ['U1', 'U2'] };

describe('sealing an HA cluster', () => {
  it('seals five nodes down to no quorum and reports every node', async () => {
    cluster = await startHaCluster({ nodes: 5 });
    const vault = new VaultClient({ addr: cluster.urls[0] as string, token: cluster.rootToken });
    const action = sealAction(vault, { nodeAddrs: cluster.urls });
    const result = await action.execute({ address: vault.address }, ctx);
    expect(cluster.activeUrl()).toBeUndefined();
    expect(cluster.states().map((s) => s.state)).toEqual(['sealed', 'sealed', 'sealed', 'standby-no-leader', 'standby-no-leader']);
    expect(result.summary).toContain('no node serves (3 of 5 nodes sealed');
    expect(result.facts?.map((f) => f.value)).toEqual([
      'sealed by this request',
      'sealed by this request',
      'sealed by this request',
      expect.stringContaining('unsealed standby, not serving'),
      expect.stringContaining('unsealed standby, not serving'),
      '3 of 5 key shares',
    ]);
  });

  it('waits, bounded, for a standby to take over when a quorum is still possible', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const [a, b, c] = cluster.urls as [string, string, string];
    const clients = cluster.urls.map((u) => new VaultClient({ addr: u, token: cluster?.rootToken as string }));
    // Model a slow election: after A seals nobody is active until the loop has looked twice.
    let looks = 0;
    const slowB = {
      address: b,
      seal: () => (clients[1] as VaultClient).seal(),
      leader: () => (clients[1] as VaultClient).leader(),
      health: async () => {
        const h = await (clients[1] as VaultClient).health();
        looks += 1;
        return looks <= 2 && h.state === 'active' ? { ...h, state: 'standby' as const, standby: true, code: 429 } : h;
      },
    };
    const slept: number[] = [];
    const result = await sealCluster(clients[0] as VaultClient, [slowB, clients[2] as VaultClient], (addr) => new VaultClient({ addr, token: '' }), {
      pollMs: 5,
      sleep: async (ms) => void slept.push(ms),
    });
    expect(slept.length).toBeGreaterThanOrEqual(1);
    expect(result.serving).toBe(false);
    expect(result.nodes.map((n) => [n.address, n.outcome])).toEqual([
      [a, 'sealed-now'],
      [b, 'sealed-now'],
      [c, 'standby-cannot-serve'],
    ]);
  });

  it('fails, naming the node, when an active node refuses to seal', async () => {
    cluster = await startHaCluster({ nodes: 3 });
    const [a, b] = cluster.urls as [string, string, string];
    (cluster.nodes[1] as { faults: object }).faults = { ...cluster.nodes[1]?.faults, failPaths: { 'sys/seal': { status: 403, message: 'permission denied' } } };
    const vault = new VaultClient({ addr: a, token: cluster.rootToken });
    const failure = await sealAction(vault, { nodeAddrs: cluster.urls }).execute({ address: a }, ctx).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(cluster.activeUrl()).toBe(b);
    expect(failure?.message).toContain(`${b}: STILL ACTIVE AND SERVING (seal refused:`);
    expect(failure?.message).toContain(`${a}: sealed by this request`);
  });
});

describe('VAULT_NODE_ADDRS', () => {
  const base = { VAULT_ADDR: 'https://vault-0.example.com:8200', VAULT_TOKEN: 'hvs.x' };
  it('takes comma-separated URLs, trailing slashes and repeats dropped', () => {
    const loaded = loadConfig({ ...base, VAULT_NODE_ADDRS: 'https://vault-1:8200/, https://vault-2:8200,https://vault-1:8200' }, ['vault']);
    expect(loaded.ok && loaded.config.vault.nodeAddrs).toEqual(['https://vault-1:8200', 'https://vault-2:8200']);
  });
  it('refuses an entry that is not an http(s) URL, in one line naming the variable', () => {
    const loaded = loadConfig({ ...base, VAULT_NODE_ADDRS: 'https://vault-1:8200,vault-2:8200' }, ['vault']);
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^VAULT_NODE_ADDRS holds an entry that .*; expected comma-separated http:\/\/ or https:\/\/ URLs, e\.g\. VAULT_NODE_ADDRS=https:\/\/vault-0/);
  });
});
