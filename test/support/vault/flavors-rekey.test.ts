import { afterEach, describe, expect, it } from 'vitest';
import { RequestRewriter } from './connection.js';
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

describe('OpenBao flavor', () => {
  it('health: trimmed body, only the four codes, Ent params ignored', async () => {
    const s = await start({ flavor: 'openbao' });
    const r = await call(s.url, 'GET', 'sys/health');
    expect(r.status).toBe(200);
    expect(Object.keys(r.json as object)).toEqual([
      'initialized',
      'sealed',
      'standby',
      'replication_performance_mode',
      'replication_dr_mode',
      'server_time_utc',
      'version',
      'cluster_name',
      'cluster_id',
    ]);
    expect(r.json).not.toHaveProperty('performance_standby');
    expect((r.json as { version: string }).version).toMatch(/^2\./);
    expect((await call(s.url, 'GET', 'sys/health?drsecondarycode=abc')).status).toBe(200);
    s.faults.standby = { activeAddr: 'http://10.0.0.9:8200' };
    expect((await call(s.url, 'GET', 'sys/health')).status).toBe(429);
    s.state.sealed = true;
    const sealed = await call(s.url, 'GET', 'sys/health');
    expect(sealed.status).toBe(503);
    expect(sealed.json).not.toHaveProperty('cluster_id');
  });

  it('leader omits false/empty fields; seal-status has commit_date; envelope has no mount_type', async () => {
    const s = await start({ flavor: 'openbao' });
    const leader = (await call(s.url, 'GET', 'sys/leader')).json as Record<string, unknown>;
    expect(leader).toMatchObject({ ha_enabled: true, is_self: true });
    expect(leader).not.toHaveProperty('performance_standby');
    s.faults.standby = { activeAddr: 'http://10.0.0.9:8200' };
    const sb = (await call(s.url, 'GET', 'sys/leader')).json as Record<string, unknown>;
    expect(sb).not.toHaveProperty('is_self');
    expect(sb).not.toHaveProperty('active_time');
    const status = (await call(s.url, 'GET', 'sys/seal-status')).json as Record<string, unknown>;
    expect(status).toHaveProperty('commit_date');
    expect(status).not.toHaveProperty('build_date');
    s.putSecret('a', { b: 1 });
    const read = await call(s.url, 'GET', 'secret/data/a', { token: s.rootToken });
    expect(read.json).not.toHaveProperty('mount_type');
  });

  it('plain permission denied for invalid tokens, rekey 405, relative paths 400, decode JSON text', async () => {
    const s = await start({ flavor: 'openbao' });
    expect((await call(s.url, 'GET', 'secret/data/a', { token: 'hvs.bogus' })).json).toEqual({ errors: ['permission denied'] });
    const rekey = await call(s.url, 'GET', 'sys/rekey/init');
    expect(rekey.status).toBe(405);
    expect(rekey.json).toEqual({ errors: ['unsupported operation'] });
    expect((await call(s.url, 'GET', 'secret/data/../x', { token: s.rootToken })).status).toBeGreaterThanOrEqual(400);
    const bad = await call(s.url, 'POST', 'secret/data/x', { token: s.rootToken, body: '{' });
    expect((bad.json as { errors: string[] }).errors[0]).toMatch(/^failed to decode JSON input: /);
  });

  it('rekey works when disableUnauthedRekey is false', async () => {
    const s = await start({ flavor: 'openbao', disableUnauthedRekey: false });
    expect((await call(s.url, 'GET', 'sys/rekey/init')).status).toBe(200);
  });
});

describe('rekey (Vault 1.x, unauthenticated)', () => {
  it('init, update to completion: new shares and t/n, old shares stop working', async () => {
    const s = await start({ shares: 3, threshold: 2 });
    const idle = await call(s.url, 'GET', 'sys/rekey/init');
    expect(idle.json).toEqual({
      nonce: '',
      started: false,
      t: 0,
      n: 0,
      progress: 0,
      required: 2,
      pgp_fingerprints: null,
      backup: false,
      verification_required: false,
    });
    const init = await call(s.url, 'PUT', 'sys/rekey/init', { body: { secret_shares: 5, secret_threshold: 3 } });
    expect(init.json).toMatchObject({ started: true, t: 3, n: 5, progress: 0, required: 2 });
    const nonce = (init.json as { nonce: string }).nonce;
    expect((await call(s.url, 'PUT', 'sys/rekey/init', { body: { secret_shares: 5, secret_threshold: 3 } })).json).toEqual({
      errors: ['rekey already in progress'],
    });

    const old = s.unsealKeys();
    const wrongNonce = await call(s.url, 'PUT', 'sys/rekey/update', { body: { key: old[0], nonce: 'x' } });
    expect(wrongNonce.json).toEqual({ errors: [`incorrect nonce supplied; nonce for this rekey operation is "${nonce}"`] });
    const p1 = await call(s.url, 'PUT', 'sys/rekey/update', { body: { key: old[0], nonce } });
    expect(p1.json).toMatchObject({ progress: 1, started: true });
    const dup = await call(s.url, 'PUT', 'sys/rekey/update', { body: { key: old[0], nonce } });
    expect(dup.json).toEqual({ errors: ['given key has already been provided during this generation operation'] });
    const done = await call(s.url, 'PUT', 'sys/rekey/update', { body: { key: old[1], nonce } });
    expect(done.status).toBe(200);
    const body = done.json as { complete: boolean; keys: string[]; keys_base64: string[] };
    expect(Object.keys(body)).toEqual(['nonce', 'complete', 'keys', 'keys_base64', 'pgp_fingerprints', 'backup', 'verification_required']);
    expect(body.complete).toBe(true);
    expect(body.keys).toHaveLength(5);
    expect(s.unsealKeys()).toEqual(body.keys);
    expect((await call(s.url, 'GET', 'sys/seal-status')).json).toMatchObject({ t: 3, n: 5 });
    expect((await call(s.url, 'PUT', 'sys/rekey/update', { body: { key: old[0], nonce } })).json).toEqual({
      errors: ['no barrier rekey in progress'],
    });

    await call(s.url, 'PUT', 'sys/seal', { token: s.rootToken });
    await call(s.url, 'PUT', 'sys/unseal', { body: { key: old[0] } });
    await call(s.url, 'PUT', 'sys/unseal', { body: { key: old[1] } });
    expect((await call(s.url, 'PUT', 'sys/unseal', { body: { key: old[2] } })).status).toBe(500);
    for (const k of body.keys.slice(0, 3)) await call(s.url, 'PUT', 'sys/unseal', { body: { key: k } });
    expect(s.state.sealed).toBe(false);
  });

  it('invalid config 500, DELETE cancels, sealed 503, uninitialised GET 400', async () => {
    const s = await start();
    const bad = await call(s.url, 'PUT', 'sys/rekey/init', { body: { secret_shares: 2, secret_threshold: 3 } });
    expect(bad.status).toBe(500);
    expect(bad.json).toEqual({ errors: ['invalid rekey seal configuration: threshold cannot be larger than shares'] });
    await call(s.url, 'PUT', 'sys/rekey/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    expect((await call(s.url, 'DELETE', 'sys/rekey/init')).status).toBe(204);
    expect((await call(s.url, 'GET', 'sys/rekey/init')).json).toMatchObject({ started: false });
    s.state.sealed = true;
    expect((await call(s.url, 'GET', 'sys/rekey/init')).status).toBe(503);
    s.state.initialized = false;
    expect((await call(s.url, 'GET', 'sys/rekey/init')).json).toEqual({ errors: ['server is not yet initialized'] });
  });
});

describe('LIST verb plumbing', () => {
  it('rewrites LIST request lines and leaves bodies, chunked or not, untouched', () => {
    const rw = new RequestRewriter();
    const body = 'LIST /v1/not-a-request-line';
    const wire =
      `POST /v1/secret/data/a HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
      'LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\n\r\n' +
      'PUT /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nLIST \r\n0\r\n\r\n' +
      'LIST /v1/y HTTP/1.1\r\n\r\n';
    // Feed byte by byte to exercise every split point.
    const out = Buffer.concat([...wire].flatMap((ch) => rw.feed(Buffer.from(ch, 'latin1')))).toString('latin1');
    expect(out).toBe(
      `POST /v1/secret/data/a HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /v1/secret/metadata/ HTTP/1.1\r\nx-vault-test-server-list: 1\r\nHost: x\r\n\r\n' +
        'PUT /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nLIST \r\n0\r\n\r\n' +
        'GET /v1/y HTTP/1.1\r\nx-vault-test-server-list: 1\r\n\r\n',
    );
  });

  it('node-vault list(), read(), health() and approleLogin() work against the server', async () => {
    const s = await start();
    s.putSecret('app/one', { a: 1 });
    const { default: nodeVault } = (await import('node-vault')) as unknown as {
      default: (o: { endpoint: string; token?: string }) => Record<string, (...a: unknown[]) => Promise<unknown>>;
    };
    const client = nodeVault({ endpoint: s.url, token: s.rootToken });
    const listed = (await client.list?.('secret/metadata/app')) as { data: { keys: string[] } };
    expect(listed.data.keys).toEqual(['one']);
    const read = (await client.read?.('secret/data/app/one')) as { data: { data: unknown } };
    expect(read.data.data).toEqual({ a: 1 });
    await expect(client.read?.('secret/data/missing')).rejects.toThrow('Status 404');
    s.state.sealed = true;
    expect(await client.health?.()).toMatchObject({ sealed: true });
    s.state.sealed = false;
    const { roleId, secretId } = s.createAppRole({ roleName: 'r', policies: {} });
    const login = (await client.approleLogin?.({ role_id: roleId, secret_id: secretId })) as { auth: { client_token: string } };
    expect(login.auth.client_token).toMatch(/^hvs\./);
    // node-vault now uses the AppRole token, whose policy grants nothing on secret/.
    await expect(client.read?.('secret/data/missing')).rejects.toThrow('permission denied');
  });
});
