import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { archiveMembers, collect, expectNoSecret, failureOf, sha256, useVault } from './helpers.js';

const vault = useVault();
const FIVE_MIB = 5 * 1024 * 1024;

/**
 * Two snapshots of the same state differ only in `meta.json` (its ID carries the time) and the tar
 * mtimes, as with real Vault; so the streamed archive is checked member by member against
 * `snapshotBytes()`, and against its own SHA256SUMS, which any corrupted byte would break.
 */
async function expectSameSnapshot(streamed: Buffer, reference: Buffer): Promise<void> {
  const got = await archiveMembers(streamed);
  const want = await archiveMembers(reference);
  expect([...got.keys()]).toEqual(['meta.json', 'state.bin', 'SHA256SUMS', 'SHA256SUMS.sealed']);
  expect([...got.keys()]).toEqual([...want.keys()]);
  const state = got.get('state.bin') ?? Buffer.alloc(0);
  expect(sha256(state)).toBe(sha256(want.get('state.bin') ?? Buffer.alloc(0)));
  const sums = (got.get('SHA256SUMS') ?? Buffer.alloc(0)).toString('utf8');
  expect(sums).toContain(`${sha256(state)}  state.bin`);
  expect(sums).toContain(`${sha256(got.get('meta.json') ?? Buffer.alloc(0))}  meta.json`);
}

describe.each(['vault', 'openbao'] as const)('snapshot on %s', (flavor) => {
  it('streams a 5 MiB snapshot byte for byte', async () => {
    const server = await vault.server({ flavor, snapshotSize: FIVE_MIB });
    const bytes = await collect(await vault.client(server).snapshot());
    expect(bytes.length).toBeGreaterThan(FIVE_MIB);
    await expectSameSnapshot(bytes, await server.snapshotBytes());

    // The server itself accepts exactly these bytes back (it verifies every checksum and the seal).
    await vault.client(server).restoreSnapshot(() => Readable.from([bytes]), { force: false });
    expect(server.restores[0]).toMatchObject({ sha256: sha256(bytes), bytes: bytes.length });
  });
});

describe('snapshot', () => {
  it('follows a standby to the active node, sending the token only there', async () => {
    const rootToken = `hvs.${'s'.repeat(24)}`;
    const active = await vault.server({ rootToken });
    const standby = await vault.server({ rootToken });
    standby.faults.standby = { activeAddr: active.url };

    const bytes = await collect(await vault.client(standby).snapshot());
    await expectSameSnapshot(bytes, await active.snapshotBytes());
    const redirected = standby.requests.filter((r) => r.url.startsWith('/v1/sys/storage/raft/snapshot'));
    expect(redirected.map((r) => r.status)).toEqual([307]);
    const served = active.requests.filter((r) => r.url.startsWith('/v1/sys/storage/raft/snapshot'));
    expect(served).toHaveLength(1);
    expect(served[0]?.headers['x-vault-token']).toBe(rootToken);
  });

  it('fails the stream with vault_timeout when Vault stops sending', async () => {
    const server = await vault.server({ snapshotSize: 256 * 1024 });
    server.faults.snapshotHangAfterBytes = 10_000;
    const stream = await vault.client(server, { snapshotIdleTimeoutMs: 300 }).snapshot();
    const error = await failureOf(collect(stream));
    expect(isCoreError(error, 'vault_timeout')).toBe(true);
    expect(error.message).toContain('the snapshot stream stalled for 300 ms');
    expect(stream.destroyed).toBe(true);
  });

  it('fails the stream when the connection is cut mid-way', async () => {
    const server = await vault.server({ snapshotSize: 512 * 1024 });
    server.faults.snapshotTruncateAfterBytes = 50_000;
    const stream = await vault.client(server).snapshot();
    const error = await failureOf(collect(stream));
    expect(isCoreError(error, 'vault_unreachable')).toBe(true);
    expect(error.message).toMatch(/after \d+ bytes of the snapshot/);
  });

  it('names the missing capability for a token without read', async () => {
    const server = await vault.server();
    const token = server.createToken({ policies: { 'secret/data/app': ['read'] } });
    const error = await failureOf(vault.client(server, { token }).snapshot());
    expect(isCoreError(error, 'vault_permission_denied')).toBe(true);
    expect(error.message).toBe("permission denied for sys/storage/raft/snapshot: the token's policy needs read on it");
    expectNoSecret(error, token);
  });

  it('sends the namespace header', async () => {
    const server = await vault.server();
    await collect(await vault.client(server, { namespace: 'team-a' }).snapshot());
    const request = server.requests.find((r) => r.url.startsWith('/v1/sys/storage/raft/snapshot'));
    expect(request?.headers['x-vault-namespace']).toBe('team-a');
  });

  it('maps an error answer to a CoreError with Vault\'s message', async () => {
    const server = await vault.server();
    server.faults.failPaths = { 'sys/storage/raft/snapshot': { status: 500, message: 'raft: snapshot failed: disk full' } };
    const error = await failureOf(vault.client(server).snapshot());
    expect(isCoreError(error, 'vault_server_error')).toBe(true);
    expect(error.message).toContain('disk full');
  });
});
