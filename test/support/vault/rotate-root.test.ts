/**
 * The Vault test server's additions for rotation, checked against vault-api.md: OpenBao's
 * authenticated `sys/rotate/root/*` (§11: the rekey fields inside the envelope's `data`, 405 on
 * `sys/rekey/*`), and KV v2 check-and-set answers exactly as §7 words them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startVaultServer } from './server.js';
import { call } from './testing.js';
import type { VaultTestServer } from './types.js';

const servers: VaultTestServer[] = [];
async function start(opts: Parameters<typeof startVaultServer>[0] = {}): Promise<VaultTestServer> {
  const s = await startVaultServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('OpenBao sys/rotate/root', () => {
  it('runs a rotation start to completion inside the envelope, with a token, while sys/rekey answers 405', async () => {
    const s = await start({ flavor: 'openbao', shares: 3, threshold: 2 });
    expect((await call(s.url, 'GET', 'sys/rekey/init')).status).toBe(405);
    expect((await call(s.url, 'GET', 'sys/rotate/root/init')).status).toBe(403);

    const idle = await call(s.url, 'GET', 'sys/rotate/root/init', { token: s.rootToken });
    expect(idle.status).toBe(200);
    expect(idle.json).not.toHaveProperty('mount_type');
    expect((idle.json as { data: Record<string, unknown> }).data).toMatchObject({ started: false, nonce: '', t: 0, n: 0, progress: 0, required: 2 });

    const init = await call(s.url, 'POST', 'sys/rotate/root/init', { token: s.rootToken, body: { secret_shares: 5, secret_threshold: 3 } });
    const status = (init.json as { data: { nonce: string; started: boolean; t: number; n: number } }).data;
    expect(status).toMatchObject({ started: true, t: 3, n: 5 });
    const again = await call(s.url, 'POST', 'sys/rotate/root/init', { token: s.rootToken, body: { secret_shares: 5, secret_threshold: 3 } });
    expect(again).toMatchObject({ status: 400, json: { errors: ['rekey already in progress'] } });

    const [k1, k2] = s.unsealKeys();
    const first = await call(s.url, 'POST', 'sys/rotate/root/update', { token: s.rootToken, body: { key: k1, nonce: status.nonce } });
    expect((first.json as { data: { progress: number } }).data.progress).toBe(1);
    const done = await call(s.url, 'POST', 'sys/rotate/root/update', { token: s.rootToken, body: { key: k2, nonce: status.nonce } });
    const result = (done.json as { data: { complete: boolean; keys: string[] } }).data;
    expect(result.complete).toBe(true);
    expect(result.keys).toHaveLength(5);
    expect(s.unsealKeys()).toEqual(result.keys);
    const seal = await call(s.url, 'GET', 'sys/seal-status');
    expect(seal.json).toMatchObject({ t: 3, n: 5 });
  });

  it('is not a Vault path', async () => {
    const s = await start();
    const r = await call(s.url, 'GET', 'sys/rotate/root/init', { token: s.rootToken });
    expect(r.status).toBe(404);
  });
});

describe('KV v2 check-and-set (§7)', () => {
  it('answers a stale cas, a missing required cas and cas:0 on an existing secret with the reference wording', async () => {
    const s = await start();
    s.putSecret('app/db', { password: 'a' });
    const stale = await call(s.url, 'POST', 'secret/data/app/db', { token: s.rootToken, body: { data: { password: 'b' }, options: { cas: 0 } } });
    expect(stale).toMatchObject({ status: 400, json: { errors: ['check-and-set parameter did not match the current version'] } });
    const ok = await call(s.url, 'POST', 'secret/data/app/db', { token: s.rootToken, body: { data: { password: 'b' }, options: { cas: 1 } } });
    expect((ok.json as { data: { version: number } }).data.version).toBe(2);
    await call(s.url, 'POST', 'secret/metadata/app/db', { token: s.rootToken, body: { cas_required: true } });
    const missing = await call(s.url, 'POST', 'secret/data/app/db', { token: s.rootToken, body: { data: { password: 'c' } } });
    expect(missing).toMatchObject({ status: 400, json: { errors: ['check-and-set parameter required for this call'] } });
    const folder = await call(s.url, 'POST', 'secret/data/app/', { token: s.rootToken, body: { data: { x: 1 } } });
    expect(folder).toMatchObject({ status: 400, json: { errors: ["cannot write to a path ending in '/'"] } });
  });
});
