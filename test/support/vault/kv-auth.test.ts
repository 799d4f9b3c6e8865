import { afterEach, describe, expect, it, vi } from 'vitest';
import { startVaultServer } from './server.js';
import { call } from './testing.js';
import type { VaultTestServer } from './types.js';

let server: VaultTestServer;
afterEach(async () => {
  vi.useRealTimers();
  await server?.stop();
});

const ENVELOPE_KEYS = ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth', 'mount_type'];

describe('KV v2 on secret/', () => {
  it('write then read: envelope order, versions, mount_type', async () => {
    server = await startVaultServer();
    const t = server.rootToken;
    const w = await call(server.url, 'POST', 'secret/data/app/db', { token: t, body: { data: { user: 'u', pass: 'p' } } });
    expect(w.status).toBe(200);
    expect(Object.keys(w.json as object)).toEqual(ENVELOPE_KEYS);
    expect(w.json).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, mount_type: 'kv', data: { version: 1, deletion_time: '', destroyed: false, custom_metadata: null } });
    await call(server.url, 'PUT', 'secret/data/app/db', { token: t, body: { data: { user: 'u2' } } });

    const r = await call(server.url, 'GET', 'secret/data/app/db', { token: t });
    expect(r.status).toBe(200);
    const data = (r.json as { data: { data: unknown; metadata: { version: number; created_time: string } } }).data;
    expect(data.data).toEqual({ user: 'u2' });
    expect(data.metadata.version).toBe(2);
    expect(data.metadata.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const v1 = await call(server.url, 'GET', 'secret/data/app/db?version=1', { token: t });
    expect((v1.json as { data: { data: unknown } }).data.data).toEqual({ pass: 'p', user: 'u' });
    expect(Object.keys((v1.json as { data: { data: object } }).data.data)).toEqual(['pass', 'user']);
  });

  it('404 forms: never written / missing version → {"errors":[]}; deleted version → envelope', async () => {
    server = await startVaultServer();
    const t = server.rootToken;
    const missing = await call(server.url, 'GET', 'secret/data/nope', { token: t });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('{"errors":[]}\n');
    server.putSecret('gone', { a: 1 });
    expect((await call(server.url, 'GET', 'secret/data/gone?version=7', { token: t })).json).toEqual({ errors: [] });
    expect((await call(server.url, 'DELETE', 'secret/data/gone', { token: t })).status).toBe(204);
    const deleted = await call(server.url, 'GET', 'secret/data/gone', { token: t });
    expect(deleted.status).toBe(404);
    expect(deleted.json).not.toHaveProperty('errors');
    const d = (deleted.json as { data: { data: unknown; metadata: { deletion_time: string } } }).data;
    expect(d.data).toBeNull();
    expect(d.metadata.deletion_time).not.toBe('');
  });

  it('cas: match writes, mismatch and cas=0 on existing → 400', async () => {
    server = await startVaultServer();
    const t = server.rootToken;
    expect((await call(server.url, 'POST', 'secret/data/c', { token: t, body: { data: { a: 1 }, options: { cas: 0 } } })).status).toBe(200);
    const again = await call(server.url, 'POST', 'secret/data/c', { token: t, body: { data: { a: 2 }, options: { cas: 0 } } });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ errors: ['check-and-set parameter did not match the current version'] });
    expect((await call(server.url, 'POST', 'secret/data/c', { token: t, body: { data: { a: 2 }, options: { cas: 1 } } })).status).toBe(200);
    expect((await call(server.url, 'POST', 'secret/data/c', { token: t, body: {} })).json).toEqual({ errors: ['no data provided'] });
    expect((await call(server.url, 'POST', 'secret/data/c/', { token: t, body: { data: {} } })).json).toEqual({
      errors: ["cannot write to a path ending in '/'"],
    });
  });

  it('list, metadata, delete all, v1-style path warning, bad JSON', async () => {
    server = await startVaultServer();
    const t = server.rootToken;
    server.putSecret('app/a', { x: 1 });
    server.putSecret('app/sub/b', { x: 1 });
    const list = await call(server.url, 'LIST', 'secret/metadata/app', { token: t });
    expect((list.json as { data: { keys: string[] } }).data.keys).toEqual(['a', 'sub/']);
    const viaGet = await call(server.url, 'GET', 'secret/metadata/app/?list=true', { token: t });
    expect((viaGet.json as { data: { keys: string[] } }).data.keys).toEqual(['a', 'sub/']);
    expect((await call(server.url, 'GET', 'secret/metadata/app?list=maybe', { token: t })).status).toBe(400);
    expect((await call(server.url, 'LIST', 'secret/metadata/empty', { token: t })).json).toEqual({ errors: [] });
    const meta = await call(server.url, 'GET', 'secret/metadata/app/a', { token: t });
    expect((meta.json as { data: Record<string, unknown> }).data).toMatchObject({ current_version: 1, oldest_version: 1, delete_version_after: '0s' });
    expect((await call(server.url, 'DELETE', 'secret/metadata/app/a', { token: t })).status).toBe(204);
    expect((await call(server.url, 'GET', 'secret/data/app/a', { token: t })).status).toBe(404);
    const v1 = await call(server.url, 'GET', 'secret/app/a', { token: t });
    expect(v1.status).toBe(404);
    expect((v1.json as { warnings: string[] }).warnings[0]).toMatch(/^Invalid path for a versioned K\/V secrets engine/);
    const bad = await call(server.url, 'POST', 'secret/data/x', { token: t, body: '{nope' });
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: string[] }).errors[0]).toMatch(/^failed to parse JSON input: /);
  });

  it('ACL: read-only token can read, not write or list; glob paths', async () => {
    server = await startVaultServer();
    server.putSecret('app/a', { x: 1 });
    const ro = server.createToken({ policies: { 'secret/data/app/*': ['read'] } });
    expect((await call(server.url, 'GET', 'secret/data/app/a', { token: ro })).status).toBe(200);
    const w = await call(server.url, 'POST', 'secret/data/app/a', { token: ro, body: { data: { y: 1 } } });
    expect(w.status).toBe(403);
    expect(w.json).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    expect((await call(server.url, 'LIST', 'secret/metadata/app', { token: ro })).status).toBe(403);
    expect((await call(server.url, 'GET', 'secret/data/other', { token: ro })).status).toBe(403);
  });

  it('unknown mount: 403 for a denied caller, 404 no handler for root; no token 403', async () => {
    server = await startVaultServer();
    const root = await call(server.url, 'GET', 'foo/bar', { token: server.rootToken });
    expect(root.status).toBe(404);
    expect(root.json).toEqual({ errors: ['no handler for route "foo/bar". route entry not found.'] });
    const tok = server.createToken({ policies: { 'secret/*': ['read'] } });
    expect((await call(server.url, 'GET', 'foo/bar', { token: tok })).status).toBe(403);
    expect((await call(server.url, 'GET', 'foo/bar')).json).toEqual({ errors: ['permission denied'] });
    expect((await call(server.url, 'GET', 'sys/nothing-here', { token: server.rootToken })).json).toEqual({ errors: ['unsupported path'] });
  });

  it('records requests: method, url, headers, body hash, status, namespace', async () => {
    server = await startVaultServer();
    await call(server.url, 'POST', 'secret/data/r', {
      token: server.rootToken,
      body: { data: { a: 1 } },
      headers: { 'X-Vault-Namespace': 'team-a' },
    });
    const rec = server.requests.at(-1);
    expect(rec).toMatchObject({ method: 'POST', url: '/v1/secret/data/r', status: 200, bodyText: '{"data":{"a":1}}' });
    expect(rec?.headers['x-vault-namespace']).toBe('team-a');
    expect(rec?.bodySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec?.bodyBytes).toBe(16);
  });
});

describe('tokens and AppRole', () => {
  it('lookup-self for root and a created token; Bearer header accepted', async () => {
    server = await startVaultServer();
    const root = await call(server.url, 'GET', 'auth/token/lookup-self', { token: server.rootToken });
    expect(root.json).toMatchObject({
      mount_type: 'token',
      data: { id: server.rootToken, path: 'auth/token/root', policies: ['root'], ttl: 0, expire_time: null, renewable: false },
    });
    const tok = server.createToken({ policies: {}, ttl: 600 });
    const res = await fetch(`${server.url}/v1/auth/token/lookup-self`, { headers: { Authorization: `Bearer ${tok}` } });
    const body = (await res.json()) as { data: { ttl: number; renewable: boolean; policies: string[] } };
    expect(body.data.ttl).toBeGreaterThan(590);
    expect(body.data.renewable).toBe(true);
    expect(body.data.policies).toContain('default');
  });

  it('renew-self: root 400, renewal extends up to max TTL with a warning, expiry ends the token', async () => {
    server = await startVaultServer();
    const rootRenew = await call(server.url, 'POST', 'auth/token/renew-self', { token: server.rootToken });
    expect(rootRenew.status).toBe(400);
    expect(rootRenew.json).toEqual({ errors: ['lease is not renewable'] });

    const tok = server.createToken({ policies: {}, ttl: 60, maxTtl: 120 });
    const r1 = await call(server.url, 'POST', 'auth/token/renew-self', { token: tok, body: { increment: '90s' } });
    expect(r1.status).toBe(200);
    expect(r1.json).toMatchObject({ auth: { client_token: tok, lease_duration: 90, renewable: true, token_type: 'service' }, data: null });
    const r2 = await call(server.url, 'POST', 'auth/token/renew-self', { token: tok, body: { increment: 3600 } });
    const auth = (r2.json as { auth: { lease_duration: number }; warnings: string[] }).auth;
    expect(auth.lease_duration).toBeLessThanOrEqual(120);
    expect((r2.json as { warnings: string[] }).warnings[0]).toMatch(/capped accordingly/);

    const short = server.createToken({ policies: {}, ttl: 1 });
    expect((await call(server.url, 'GET', 'auth/token/lookup-self', { token: short })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await call(server.url, 'GET', 'auth/token/lookup-self', { token: short });
    expect(expired.status).toBe(403);
    expect(expired.json).toEqual({ errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] });
  });

  it('AppRole login: good credentials issue a working token; bad ones 400; unmounted 403/404', async () => {
    server = await startVaultServer();
    const noMount = await call(server.url, 'POST', 'auth/approle/login', { body: { role_id: 'x', secret_id: 'y' } });
    expect(noMount.status).toBe(403);
    expect((await call(server.url, 'POST', 'auth/approle/login', { token: server.rootToken, body: {} })).status).toBe(404);

    const { roleId, secretId } = server.createAppRole({ roleName: 'backup', policies: { 'sys/storage/raft/snapshot': ['read'] }, tokenTtl: 300 });
    const ok = await call(server.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: secretId } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      mount_type: 'approle',
      data: null,
      auth: { lease_duration: 300, renewable: true, orphan: true, metadata: { role_name: 'backup' }, mfa_requirement: null },
    });
    const token = (ok.json as { auth: { client_token: string } }).auth.client_token;
    expect(token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/);
    expect((await call(server.url, 'GET', 'auth/token/lookup-self', { token })).status).toBe(200);

    expect((await call(server.url, 'POST', 'auth/approle/login', { body: { secret_id: secretId } })).json).toEqual({ errors: ['missing role_id'] });
    expect((await call(server.url, 'POST', 'auth/approle/login', { body: { role_id: roleId } })).json).toEqual({ errors: ['missing secret_id'] });
    expect((await call(server.url, 'POST', 'auth/approle/login', { body: { role_id: roleId, secret_id: 'wrong' } })).json).toEqual({
      errors: ['invalid role or secret ID'],
    });
  });
});

describe('sys/metrics and raft info', () => {
  it('JSON by default, Prometheus text on ?format=prometheus, unknown format 400 text', async () => {
    server = await startVaultServer();
    expect((await call(server.url, 'GET', 'sys/metrics')).status).toBe(403);
    const j = await call(server.url, 'GET', 'sys/metrics', { token: server.rootToken });
    expect(Object.keys(j.json as object)).toEqual(['Timestamp', 'Gauges', 'Counters', 'Samples', 'Points']);
    const p = await call(server.url, 'GET', 'sys/metrics?format=prometheus', { token: server.rootToken });
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(p.text).toMatch(/^vault_core_unsealed 1$/m);
    const x = await call(server.url, 'GET', 'sys/metrics?format=x', { token: server.rootToken });
    expect(x.status).toBe(400);
    expect(x.text).toBe('metric response format "x" unknown');
    server.state.sealed = true;
    expect((await call(server.url, 'GET', 'sys/metrics', { token: server.rootToken })).status).toBe(503);
  });

  it('prometheus disabled → 400 plain text', async () => {
    server = await startVaultServer({ prometheusEnabled: false });
    const p = await call(server.url, 'GET', 'sys/metrics?format=prometheus', { token: server.rootToken });
    expect(p.status).toBe(400);
    expect(p.text).toBe('prometheus is not enabled');
  });

  it('raft configuration and autopilot state, autopilotUnhealthy fault', async () => {
    server = await startVaultServer();
    const conf = await call(server.url, 'GET', 'sys/storage/raft/configuration', { token: server.rootToken });
    expect(conf.json).toMatchObject({ mount_type: 'system', data: { config: { servers: [{ node_id: 'node1', leader: true, voter: true, protocol_version: '3' }] } } });
    const ap = await call(server.url, 'GET', 'sys/storage/raft/autopilot/state', { token: server.rootToken });
    expect(ap.json).toMatchObject({ data: { healthy: true, leader: 'node1' } });
    server.faults.autopilotUnhealthy = true;
    const bad = await call(server.url, 'GET', 'sys/storage/raft/autopilot/state', { token: server.rootToken });
    expect(bad.json).toMatchObject({ data: { healthy: false } });
  });
});
