import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../../src/core/errors.js';
import { RecyclingFileReader } from '../../../src/core/streams/recycling-file-reader.js';
import { failureOf, sha256, useVault } from './helpers.js';

const vault = useVault();

/** A body factory that streams `bytes` in small chunks and counts how often it was called. */
function bodyOf(bytes: Buffer): { body: () => Readable; calls: () => number } {
  let calls = 0;
  return {
    body: () => {
      calls += 1;
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 16 * 1024) chunks.push(bytes.subarray(i, i + 16 * 1024));
      return Readable.from(chunks);
    },
    calls: () => calls,
  };
}

describe.each(['vault', 'openbao'] as const)('restore on %s', (flavor) => {
  it('restores a snapshot of the same cluster', async () => {
    const server = await vault.server({ flavor, snapshotSize: 1024 * 1024 });
    const bytes = await server.snapshotBytes();
    await vault.client(server).restoreSnapshot(bodyOf(bytes).body, { force: false });
    expect(server.restores).toHaveLength(1);
    expect(server.restores[0]).toMatchObject({ sha256: sha256(bytes), bytes: bytes.length, force: false });
  });

  // The restore path uploads from a file through a few reused read buffers: a buffer filled
  // again before the socket took it would corrupt what Vault installs.
  it('restores a snapshot streamed from a file whose read buffers are reused, byte for byte', async () => {
    const server = await vault.server({ flavor, snapshotSize: 6 * 1024 * 1024 + 17 });
    const bytes = await server.snapshotBytes();
    const dir = mkdtempSync(join(tmpdir(), 'vc-restore-'));
    try {
      const path = join(dir, 'snapshot.snap');
      writeFileSync(path, bytes);
      await vault.client(server).restoreSnapshot(() => new RecyclingFileReader(path), { force: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(server.restores).toHaveLength(1);
    expect(server.restores[0]).toMatchObject({ sha256: sha256(bytes), bytes: bytes.length });
  });

  it('refuses another cluster\'s snapshot without force, explaining why, and takes it with force', async () => {
    const target = await vault.server({ flavor });
    const other = await vault.server({ flavor });
    const bytes = await other.snapshotBytes();
    const client = vault.client(target);

    const error = await failureOf(client.restoreSnapshot(bodyOf(bytes).body, { force: false }));
    expect(isCoreError(error, 'vault_bad_request')).toBe(true);
    expect(error.message).toMatch(/another cluster/);
    expect(error.message).toMatch(/force/);
    expect(target.restores).toHaveLength(0);

    await client.restoreSnapshot(bodyOf(bytes).body, { force: true });
    expect(target.restores).toHaveLength(1);
    expect(target.restores[0]).toMatchObject({ sha256: sha256(bytes), force: true });
  });
});

describe('restore', () => {
  it('sends the snapshot again to the active node when a standby redirects', async () => {
    const rootToken = `hvs.${'r'.repeat(24)}`;
    const active = await vault.server({ rootToken });
    const standby = await vault.server({ rootToken });
    standby.faults.standby = { activeAddr: active.url };
    const bytes = await active.snapshotBytes();
    const source = bodyOf(bytes);

    await vault.client(standby).restoreSnapshot(source.body, { force: false });
    expect(active.restores.map((r) => r.sha256)).toEqual([sha256(bytes)]);
    expect(standby.restores).toHaveLength(0);
    expect(source.calls()).toBe(2);
  });

  it('passes on a failure of the body stream as it is', async () => {
    const server = await vault.server();
    const broken = new Error('decryption failed: bad tag');
    const body = () =>
      new Readable({
        read() {
          this.destroy(broken);
        },
      });
    const error = await failureOf(vault.client(server).restoreSnapshot(body, { force: false }));
    expect(error).toBe(broken);
    expect(server.restores).toHaveLength(0);
  });

  it('needs update on the restore path', async () => {
    const server = await vault.server();
    const token = server.createToken({ policies: { 'sys/storage/raft/snapshot': ['read'] } });
    const bytes = await server.snapshotBytes();
    const error = await failureOf(vault.client(server, { token }).restoreSnapshot(bodyOf(bytes).body, { force: true }));
    expect(error.message).toBe("permission denied for sys/storage/raft/snapshot-force: the token's policy needs update on it");
  });
});
