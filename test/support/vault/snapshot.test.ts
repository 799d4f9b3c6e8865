import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startVaultServer } from './server.js';
import { call, sha256, tarGz, untarGz } from './testing.js';
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

async function getSnapshot(s: VaultTestServer, token = s.rootToken): Promise<{ res: Response; body: Buffer }> {
  const res = await fetch(`${s.url}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': token } });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function restore(s: VaultTestServer, body: Buffer, opts: { force?: boolean; token?: string } = {}): Promise<{ status: number; text: string }> {
  const path = opts.force ? 'snapshot-force' : 'snapshot';
  const res = await fetch(`${s.url}/v1/sys/storage/raft/${path}`, {
    method: 'POST',
    headers: { 'X-Vault-Token': opts.token ?? s.rootToken },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe('snapshot save', () => {
  it('streams a gzip tar: headers, member order, SHA256SUMS and sealed signature verify', async () => {
    const s = await start({ snapshotSize: 300_000, clusterKey: 'cluster-a' });
    s.putSecret('app/config', { password: 'hunter2' });
    const { res, body } = await getSnapshot(s);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('cache-control')).toBe('no-store');

    const members = await untarGz(body);
    expect(members.map((m) => m.name)).toEqual(['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed']);
    const [meta, state, sums, sealed] = members;
    expect(state?.data.length).toBe(300_000);
    expect(JSON.parse(meta?.data.toString() ?? '')).toMatchObject({ Version: 1, Size: 300_000 });
    expect(sums?.data.toString()).toBe(`${sha256(meta?.data ?? '')}  meta.json\n${sha256(state?.data ?? '')}  state.bin\n`);
    expect(sealed?.data.length).toBeGreaterThan(0);
    expect(sealed?.data.toString()).toBe(createHmac('sha256', 'cluster-a').update(sums?.data ?? '').digest('hex'));
    expect(state?.data.subarray(0, 200).toString()).toContain('vault-test-server/state@1');
  });

  it('needs read on sys/storage/raft/snapshot; GET snapshot-force is 405', async () => {
    const s = await start();
    const reader = s.createToken({ policies: { 'sys/storage/raft/snapshot': ['read'] } });
    const other = s.createToken({ policies: { 'secret/*': ['read'] } });
    expect((await getSnapshot(s, reader)).res.status).toBe(200);
    const denied = await call(s.url, 'GET', 'sys/storage/raft/snapshot', { token: other });
    expect(denied.status).toBe(403);
    const force = await call(s.url, 'GET', 'sys/storage/raft/snapshot-force', { token: s.rootToken });
    expect(force.status).toBe(405);
    expect(force.json).toEqual({ errors: ['unsupported operation'] });
  });

  it('snapshotBytes() produces the same archive shape; sizes follow snapshotSize', async () => {
    const s = await start({ snapshotSize: 1024 * 1024 });
    const a = await s.snapshotBytes();
    const b = (await getSnapshot(s)).body;
    const ma = await untarGz(a);
    const mb = await untarGz(b);
    expect(ma.map((m) => [m.name, m.data.length])).toEqual(mb.map((m) => [m.name, m.data.length]));
    expect(Math.abs(a.length - b.length)).toBeLessThan(64);
    // Random filler: gzip cannot shrink it much.
    expect(a.length).toBeGreaterThan(1024 * 1024 * 0.99);
  });

  it('snapshots of an unchanged node, and of a changed one, each carry their own valid sums and gzip CRC', async () => {
    // The generator reuses the filler's SHA-256 and CRC-32 from the snapshot before; gunzip checks the CRC.
    const s = await start({ snapshotSize: 3 * 1024 * 1024 + 5, gzipLevel: 0 });
    const bodies = [(await getSnapshot(s)).body, (await getSnapshot(s)).body];
    s.putSecret('app/config', { password: 'hunter2' });
    bodies.push((await getSnapshot(s)).body, (await getSnapshot(s)).body);
    const states = new Set<string>();
    for (const body of bodies) {
      const [meta, state, sums] = await untarGz(body);
      expect(sums?.data.toString()).toBe(`${sha256(meta?.data ?? '')}  meta.json\n${sha256(state?.data ?? '')}  state.bin\n`);
      states.add(sha256(state?.data ?? ''));
    }
    expect(states.size).toBe(2);
  });

  it('streams a 16 MiB snapshot at gzip level 0', async () => {
    const s = await start({ snapshotSize: 16 * 1024 * 1024, gzipLevel: 0 });
    const { body } = await getSnapshot(s);
    const members = await untarGz(body);
    expect(members[1]?.data.length).toBe(16 * 1024 * 1024);
  });
});

describe('snapshot restore', () => {
  it('own snapshot: 204, recorded, and the state goes back to the snapshot', async () => {
    const s = await start();
    s.putSecret('keep', { v: 1 });
    const snap = await s.snapshotBytes();
    s.putSecret('later', { v: 2 });
    const r = await restore(s, snap);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(s.restores).toEqual([{ sha256: sha256(snap), bytes: snap.length, force: false, time: expect.any(Number) }]);
    expect((await call(s.url, 'GET', 'secret/data/keep', { token: s.rootToken })).status).toBe(200);
    expect((await call(s.url, 'GET', 'secret/data/later', { token: s.rootToken })).status).toBe(404);
    const rec = s.requests.find((q) => q.method === 'POST' && q.url.endsWith('/snapshot'));
    expect(rec).toMatchObject({ bodyBytes: snap.length, bodySha256: sha256(snap), status: 204 });
  });

  it('another cluster: 400 without force, 204 with force; then the old token is dead and the other’s works', async () => {
    const prod = await start();
    prod.putSecret('canary', { ok: true });
    const staging = await start();
    const snap = await prod.snapshotBytes();

    const plain = await restore(staging, snap);
    expect(plain.status).toBe(400);
    expect(JSON.parse(plain.text)).toEqual({
      errors: [
        'could not verify hash file, possibly the snapshot is using a different set of unseal keys; use the snapshot-force API to bypass this check',
      ],
    });
    expect(staging.restores).toHaveLength(0);

    const forced = await restore(staging, snap, { force: true });
    expect(forced.status).toBe(204);
    expect(staging.restores[0]).toMatchObject({ force: true, bytes: snap.length });
    const old = await call(staging.url, 'GET', 'auth/token/lookup-self', { token: staging.rootToken });
    expect(old.status).toBe(403);
    const canary = await call(staging.url, 'GET', 'secret/data/canary', { token: prod.rootToken });
    expect(canary.status).toBe(200);
    expect(staging.unsealKeys()).toEqual(prod.unsealKeys());
  });

  it('servers sharing a clusterKey accept each other’s snapshots without force', async () => {
    const a = await start({ clusterKey: 'shared' });
    const b = await start({ clusterKey: 'shared' });
    expect((await restore(b, await a.snapshotBytes())).status).toBe(204);
  });

  it('sealOnForeignRestore seals the node after a foreign forced restore', async () => {
    const prod = await start();
    const staging = await start({ sealOnForeignRestore: true });
    expect((await restore(staging, await prod.snapshotBytes(), { force: true })).status).toBe(204);
    expect(staging.state.sealed).toBe(true);
  });

  it('garbage and tampered archives → 500 with the error text', async () => {
    const s = await start();
    const garbage = await restore(s, Buffer.from('this is not a snapshot'), { force: true });
    expect(garbage.status).toBe(500);
    expect(JSON.parse(garbage.text)).toEqual({ errors: ['failed to decompress snapshot: gzip: invalid header'] });

    const members = await untarGz(await s.snapshotBytes());
    const tampered = members.map((m) => (m.name === 'state.bin' ? { ...m, data: Buffer.concat([m.data.subarray(0, -1), Buffer.from('x')]) } : m));
    const bad = await restore(s, await tarGz(tampered), { force: true });
    expect(bad.status).toBe(500);
    expect(JSON.parse(bad.text)).toEqual({ errors: ['failed checking integrity of snapshot: hash check failed for "state.bin"'] });

    const extra = await restore(s, await tarGz([...members, { name: 'nope', data: Buffer.from('x') }]), { force: true });
    expect(JSON.parse(extra.text)).toEqual({ errors: ['unexpected file "nope" in snapshot'] });

    const truncated = (await s.snapshotBytes()).subarray(0, 5000);
    const cut = await restore(s, truncated, { force: true });
    expect(cut.status).toBe(500);
    expect(s.restores).toHaveLength(0);
  });

  it('restore needs update on the path; sealed → 503', async () => {
    const s = await start();
    const snap = await s.snapshotBytes();
    const reader = s.createToken({ policies: { 'sys/storage/raft/snapshot': ['read'] } });
    expect((await restore(s, snap, { token: reader })).status).toBe(403);
    s.state.sealed = true;
    expect((await restore(s, snap)).status).toBe(503);
  });
});

describe('faults', () => {
  it('truncate: the client sees an error after a short body', async () => {
    const s = await start({ snapshotSize: 4 * 1024 * 1024 });
    s.faults.snapshotTruncateAfterBytes = 10_000;
    const res = await fetch(`${s.url}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': s.rootToken } });
    expect(res.status).toBe(200);
    let received = 0;
    let failed = false;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) received += chunk.length;
    } catch {
      failed = true;
    }
    expect(failed).toBe(true);
    expect(received).toBeLessThanOrEqual(10_000);
  });

  it('hang: N bytes arrive, then nothing; stop() still returns', async () => {
    const s = await start({ snapshotSize: 4 * 1024 * 1024 });
    s.faults.snapshotHangAfterBytes = 5000;
    const res = await fetch(`${s.url}/v1/sys/storage/raft/snapshot`, { headers: { 'X-Vault-Token': s.rootToken } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    const readAll = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'done';
        received += value.length;
      }
    })().catch(() => 'error');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBe(5000);
    await s.stop();
    expect(await readAll).toBe('error');
  });

  it('standby: snapshot paths 307 to the active node with path and query', async () => {
    const s = await start();
    s.faults.standby = { activeAddr: 'http://10.1.2.3:8200/' };
    const get = await call(s.url, 'GET', 'sys/storage/raft/snapshot?x=1', { token: s.rootToken });
    expect(get.status).toBe(307);
    expect(get.headers.get('location')).toBe('http://10.1.2.3:8200/v1/sys/storage/raft/snapshot?x=1');
    const post = await fetch(`${s.url}/v1/sys/storage/raft/snapshot-force`, {
      method: 'POST',
      headers: { 'X-Vault-Token': s.rootToken },
      body: Buffer.alloc(1000),
      redirect: 'manual',
    });
    expect(post.status).toBe(307);
    // Other requests are served locally.
    expect((await call(s.url, 'GET', 'auth/token/lookup-self', { token: s.rootToken })).status).toBe(200);
  });

  it('failPaths answers by prefix; latency delays', async () => {
    const s = await start();
    s.faults.failPaths = { 'sys/storage/raft/': { status: 502, message: 'upstream down' }, 'secret/': { status: 500 } };
    const r = await call(s.url, 'GET', 'sys/storage/raft/snapshot', { token: s.rootToken });
    expect(r.status).toBe(502);
    expect(r.json).toEqual({ errors: ['upstream down'] });
    expect((await call(s.url, 'GET', 'secret/data/x', { token: s.rootToken })).json).toEqual({ errors: [] });
    expect((await call(s.url, 'GET', 'sys/health')).status).toBe(200);
    s.faults = { latencyMs: 150 };
    const t0 = Date.now();
    await call(s.url, 'GET', 'sys/health');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
