import { afterEach, describe, expect, it } from 'vitest';
import { startVaultServer } from './server.js';
import { call } from './testing.js';
import type { VaultTestServer } from './types.js';

let server: VaultTestServer;
afterEach(async () => {
  await server?.stop();
});

describe('sys/health', () => {
  it('active: 200 with the full Vault body in struct order, no-store and trailing newline', async () => {
    server = await startVaultServer();
    const r = await call(server.url, 'GET', 'sys/health');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text.endsWith('}\n')).toBe(true);
    const body = r.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'initialized',
      'sealed',
      'standby',
      'performance_standby',
      'replication_performance_mode',
      'replication_dr_mode',
      'server_time_utc',
      'version',
      'enterprise',
      'cluster_name',
      'cluster_id',
      'echo_duration_ms',
      'clock_skew_ms',
      'replication_primary_canary_age_ms',
      'removed_from_cluster',
    ]);
    expect(body).toMatchObject({ initialized: true, sealed: false, standby: false, version: '1.19.0' });
  });

  it('standby: 429 with body, standbyok=true gives activecode, custom standbycode', async () => {
    server = await startVaultServer();
    server.faults.standby = { activeAddr: 'http://10.0.0.1:8200' };
    const r = await call(server.url, 'GET', 'sys/health');
    expect(r.status).toBe(429);
    expect(r.json).toMatchObject({ standby: true, sealed: false, ha_connection_healthy: true });
    expect((await call(server.url, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
    expect((await call(server.url, 'GET', 'sys/health?standbyok=1&activecode=204')).status).toBe(204);
    expect((await call(server.url, 'GET', 'sys/health?standbycode=299')).status).toBe(299);
  });

  it('sealed: 503 with body, standby true and no cluster fields; sealedcode honoured', async () => {
    server = await startVaultServer({ sealed: true });
    const r = await call(server.url, 'GET', 'sys/health');
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ initialized: true, sealed: true, standby: true });
    expect(r.json).not.toHaveProperty('cluster_name');
    expect(r.json).not.toHaveProperty('cluster_id');
    expect((await call(server.url, 'GET', 'sys/health?sealedcode=200')).status).toBe(200);
  });

  it('uninitialised: 501 before sealed; uninitcode honoured', async () => {
    server = await startVaultServer({ initialized: false });
    const r = await call(server.url, 'GET', 'sys/health?sealedcode=299');
    expect(r.status).toBe(501);
    expect(r.json).toMatchObject({ initialized: false, sealed: true, standby: true });
    expect((await call(server.url, 'GET', 'sys/health?uninitcode=200')).status).toBe(200);
  });

  it('follows state changed directly by a test', async () => {
    server = await startVaultServer();
    server.state.sealed = true;
    expect((await call(server.url, 'GET', 'sys/health')).status).toBe(503);
    server.state.sealed = false;
    server.state.initialized = false;
    expect((await call(server.url, 'GET', 'sys/health')).status).toBe(501);
  });

  it('bad params → 400 {"errors":[]}; unknown params ignored; other verbs 405', async () => {
    server = await startVaultServer();
    for (const q of ['standbyok=maybe', 'activecode=abc', 'sealedcode=1.5', 'perfstandbyok=yes']) {
      const r = await call(server.url, 'GET', `sys/health?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.text).toBe('{"errors":[]}\n');
    }
    expect((await call(server.url, 'GET', 'sys/health?standbyok=&whatever=1&drsecondarycode=299')).status).toBe(200);
    const post = await call(server.url, 'POST', 'sys/health');
    expect(post.status).toBe(405);
    expect(post.json).toEqual({ errors: [] });
  });

  it('HEAD sends status and content type only', async () => {
    server = await startVaultServer({ sealed: true });
    const res = await fetch(`${server.url}/v1/sys/health`, { method: 'HEAD' });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('');
  });
});

describe('seal, unseal, leader', () => {
  it('seal with root → 204, then unseal with threshold shares (progress, nonce)', async () => {
    server = await startVaultServer({ shares: 5, threshold: 3 });
    const sealed = await call(server.url, 'PUT', 'sys/seal', { token: server.rootToken, body: {} });
    expect(sealed.status).toBe(204);
    expect(sealed.text).toBe('');
    expect(sealed.headers.get('content-type')).toBe('application/json');
    expect(server.state.sealed).toBe(true);

    const status = await call(server.url, 'GET', 'sys/seal-status');
    expect(status.json).toMatchObject({ type: 'shamir', sealed: true, t: 3, n: 5, progress: 0, nonce: '' });
    expect(Object.keys(status.json as object).slice(0, 10)).toEqual([
      'type',
      'initialized',
      'sealed',
      't',
      'n',
      'progress',
      'nonce',
      'version',
      'build_date',
      'migration',
    ]);

    const keys = server.unsealKeys();
    expect(keys).toHaveLength(5);
    const first = await call(server.url, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    expect(first.json).toMatchObject({ sealed: true, progress: 1 });
    const nonce = (first.json as { nonce: string }).nonce;
    expect(nonce).toMatch(/^[0-9a-f-]{36}$/);
    const again = await call(server.url, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    expect(again.json).toMatchObject({ progress: 1, nonce });
    const b64 = Buffer.from(keys[3] ?? '', 'hex').toString('base64');
    expect((await call(server.url, 'PUT', 'sys/unseal', { body: { key: b64 } })).json).toMatchObject({ progress: 2 });
    const done = await call(server.url, 'PUT', 'sys/unseal', { body: { key: keys[4] } });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ sealed: false, progress: 0, nonce: '' });
    expect(done.json).toHaveProperty('cluster_id');
    expect(server.state.sealed).toBe(false);
  });

  it('unseal errors: missing key, bad encoding, bad length, reset, wrong shares at threshold', async () => {
    server = await startVaultServer({ sealed: true, shares: 3, threshold: 2 });
    const noKey = await call(server.url, 'PUT', 'sys/unseal', { body: {} });
    expect(noKey.status).toBe(400);
    expect(noKey.json).toEqual({ errors: ["'key' must be specified in request body as JSON, or 'reset' set to true"] });
    expect((await call(server.url, 'PUT', 'sys/unseal', { body: { key: 'zz!!' } })).json).toEqual({
      errors: ["'key' must be a valid hex or base64 string"],
    });
    expect((await call(server.url, 'PUT', 'sys/unseal', { body: { key: 'abcd' } })).json).toEqual({
      errors: ['invalid key: key is shorter than minimum 16 bytes'],
    });
    const keys = server.unsealKeys();
    await call(server.url, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    const reset = await call(server.url, 'PUT', 'sys/unseal', { body: { reset: true } });
    expect(reset.json).toMatchObject({ progress: 0, nonce: '' });

    const bogus = Buffer.alloc(33, 7).toString('hex');
    await call(server.url, 'PUT', 'sys/unseal', { body: { key: keys[0] } });
    const wrong = await call(server.url, 'PUT', 'sys/unseal', { body: { key: bogus } });
    expect(wrong.status).toBe(500);
    expect(wrong.json).toEqual({
      errors: ['unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed'],
    });
    expect((await call(server.url, 'GET', 'sys/seal-status')).json).toMatchObject({ sealed: true, progress: 0 });

    server.state.sealed = false;
    expect((await call(server.url, 'PUT', 'sys/unseal', { body: { reset: true } })).json).toEqual({ errors: ['vault is unsealed'] });
  });

  it('uninitialised unseal → 400 Vault is not initialized', async () => {
    server = await startVaultServer({ initialized: false });
    const r = await call(server.url, 'PUT', 'sys/unseal', { body: { key: Buffer.alloc(33).toString('hex') } });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ errors: ['Vault is not initialized'] });
    expect((await call(server.url, 'GET', 'sys/seal-status')).json).toMatchObject({ initialized: false, t: 0, n: 0 });
  });

  it('seal needs sudo; no token and bad token → 403; standby → 500; sealed → 204 without token', async () => {
    server = await startVaultServer();
    const updateOnly = server.createToken({ policies: { 'sys/seal': ['update'] } });
    const denied = await call(server.url, 'PUT', 'sys/seal', { token: updateOnly });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    expect((await call(server.url, 'PUT', 'sys/seal')).json).toEqual({ errors: ['permission denied'] });
    expect((await call(server.url, 'PUT', 'sys/seal', { token: 'hvs.nope' })).json).toEqual({
      errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'],
    });
    expect((await call(server.url, 'GET', 'sys/seal', { token: server.rootToken })).status).toBe(405);

    server.faults.standby = { activeAddr: 'http://10.0.0.1:8200' };
    const sb = await call(server.url, 'PUT', 'sys/seal', { token: server.rootToken });
    expect(sb.status).toBe(500);
    expect(sb.json).toEqual({ errors: ['vault cannot seal when in standby mode; please restart instead'] });
    server.faults = {};

    const sudo = server.createToken({ policies: { 'sys/seal': ['update', 'sudo'] } });
    expect((await call(server.url, 'PUT', 'sys/seal', { token: sudo })).status).toBe(204);
    expect((await call(server.url, 'PUT', 'sys/seal')).status).toBe(204);
  });

  it('leader: active is_self, standby points at the active node, sealed → 503', async () => {
    server = await startVaultServer();
    const active = await call(server.url, 'GET', 'sys/leader');
    expect(active.status).toBe(200);
    expect(active.json).toMatchObject({ ha_enabled: true, is_self: true, leader_address: server.url, performance_standby: false });
    server.faults.standby = { activeAddr: 'http://10.0.0.1:8200' };
    expect((await call(server.url, 'GET', 'sys/leader')).json).toMatchObject({
      is_self: false,
      active_time: '0001-01-01T00:00:00Z',
      leader_address: 'http://10.0.0.1:8200',
      leader_cluster_address: 'https://10.0.0.1:8201',
    });
    server.state.sealed = true;
    const sealed = await call(server.url, 'GET', 'sys/leader');
    expect(sealed.status).toBe(503);
    expect(sealed.json).toEqual({ errors: ['Vault is sealed'] });
  });

  it('authenticated paths answer 503 when sealed before looking at the token', async () => {
    server = await startVaultServer({ sealed: true });
    const r = await call(server.url, 'GET', 'secret/data/x');
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ errors: ['Vault is sealed'] });
  });
});
