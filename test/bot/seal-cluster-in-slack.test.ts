/**
 * Issue 7 item 4 (DESIGN §6): one approved `/vault seal` stops a whole HA cluster. Sealing the active
 * node makes a standby take over; the bot seals each new active node in turn until none serves, and
 * the thread names every node's state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHaCluster, type HaCluster } from '../support/vault/ha-cluster.js';
import { parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

describe('emergency seal of an HA cluster through Slack', () => {
  let h: BotHarness | undefined;
  let cluster: HaCluster | undefined;
  afterEach(async () => {
    await h?.close();
    await cluster?.stop();
  });

  async function start(nodeAddrs?: (urls: string[]) => string): Promise<{ h: BotHarness; cluster: HaCluster }> {
    cluster = await startHaCluster({ nodes: 3 });
    const [a] = cluster.urls as [string];
    h = await startBotHarness({
      vaultServer: cluster.nodes[0],
      env: { VAULT_ADDR: a, VAULT_TOKEN: cluster.rootToken, ...(nodeAddrs ? { VAULT_NODE_ADDRS: nodeAddrs(cluster.urls) } : {}) },
    });
    return { h, cluster };
  }

  async function approvedSeal(h: BotHarness): Promise<ReturnType<typeof requestMessage>> {
    await h.slack.command({ userId: 'U0CAROL', text: 'seal stolen root token' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    return parent;
  }

  it('a three-node cluster is fully sealed by one approved request, and the thread names each node', async () => {
    // Listed in another order, one with a trailing slash: still the same three nodes.
    const { h, cluster } = await start(([a, b, c]) => `${c}/,${a},${b}`);
    const [a, b, c] = cluster.urls as [string, string, string];
    const parent = await approvedSeal(h);

    expect(cluster.activeUrl()).toBeUndefined();
    expect(cluster.states().map((s) => s.state)).toEqual(['sealed', 'sealed', 'standby-no-leader']);
    // No node serves a secret any more.
    for (const url of cluster.urls) {
      const res = await fetch(`${url}/v1/secret/data/anything`, { headers: { 'X-Vault-Token': cluster.rootToken } });
      expect([500, 503]).toContain(res.status);
    }
    const seals = (i: number) => cluster.nodes[i]?.requests.filter((r) => r.method === 'PUT' && r.url === '/v1/sys/seal').length;
    expect([seals(0), seals(1), seals(2)]).toEqual([1, 1, 0]);

    const result = threadTexts(h, parent).at(-1) ?? '';
    expect(result).toContain(`Sealed the cluster behind ${a}: no node serves (2 of 3 nodes sealed`);
    expect(result).toContain(`${a}\nsealed by this request`);
    expect(result).toContain(`${b}\nsealed by this request`);
    expect(result).toContain(`${c}\nunsealed standby, not serving: too few unsealed nodes for a raft quorum`);
    expect(parentText(h, parent)).toContain('Done');
  });

  it('without VAULT_NODE_ADDRS it does not claim the cluster is sealed while unseen nodes can serve', async () => {
    const { h, cluster } = await start();
    const [a, b] = cluster.urls as [string, string, string];
    const parent = await approvedSeal(h);
    // Only VAULT_ADDR's node is known: it is sealed, and a standby took over.
    expect(cluster.activeUrl()).toBe(b);
    const result = threadTexts(h, parent).at(-1) ?? '';
    expect(result).toMatch(/^:x: The cluster may still serve after the seal: /);
    expect(result).toContain(`${a}: sealed by this request`);
    expect(result).toContain('Raft has 3 voters but the bot knows 1 addresses, so 2 nodes may have taken over and serve: set VAULT_NODE_ADDRS');
    expect(parentText(h, parent)).toContain('Failed');
  });

  it('names a node it cannot reach, and still seals the others', async () => {
    const gone = 'http://127.0.0.1:9'; // nothing listens on the discard port
    const { h, cluster } = await start((urls) => [...urls, gone].join(','));
    const parent = await approvedSeal(h);
    expect(cluster.activeUrl()).toBeUndefined();
    const result = threadTexts(h, parent).at(-1) ?? '';
    expect(result).toContain('no node serves (2 of 4 nodes sealed');
    expect(result).toContain(`${gone}\nnot reachable (`);
  });
});
