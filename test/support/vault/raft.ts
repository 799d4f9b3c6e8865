/**
 * @module raft Integrated-storage endpoints (§4): snapshot save (streamed, no Content-Length),
 * restore / restore-force (stream-parsed, 204, then the node's logical state becomes the
 * snapshot's — tokens included), `configuration` and `autopilot/state`.
 */
import type { Readable } from 'node:stream';
import { authorize } from './auth.js';
import { delayRestoreAnswer, pumpSnapshot } from './faults.js';
import { VaultError, sendEnvelope, sendNoContent, writeHead, type Ctx } from './http.js';
import { createSnapshotStream, type SnapshotSource } from './snapshot-build.js';
import { SealedHashError, drained, parseSnapshot } from './snapshot-parse.js';
import { rfc3339, type TokenEntry, type VaultCore } from './state.js';
import type { BodyTap } from './body.js';

export const SNAPSHOT_PATH = 'sys/storage/raft/snapshot';
export const SNAPSHOT_FORCE_PATH = 'sys/storage/raft/snapshot-force';

export function snapshotSource(core: VaultCore): SnapshotSource {
  return { state: core.logical, size: core.options.snapshotSize, gzipLevel: core.options.gzipLevel };
}

export async function handleSnapshotSave(ctx: Ctx, token: TokenEntry): Promise<void> {
  authorize(token, SNAPSHOT_PATH, 'read');
  const stream = createSnapshotStream(snapshotSource(ctx.core));
  ctx.core.counters.snapshotsServed += 1;
  writeHead(ctx, 200, { 'Content-Type': 'application/gzip', 'Content-Disposition': 'attachment' });
  ctx.res.flushHeaders();
  await pumpSnapshot(ctx, stream);
}

export async function handleSnapshotRestore(ctx: Ctx, token: TokenEntry, force: boolean, tap: BodyTap): Promise<void> {
  authorize(token, force ? SNAPSHOT_FORCE_PATH : SNAPSHOT_PATH, 'update');
  const core = ctx.core;
  let parsed;
  try {
    parsed = await parseSnapshot(tap as Readable, { clusterKey: core.logical.barrier.clusterKey, force });
  } catch (err) {
    await drained(tap);
    if (err instanceof SealedHashError) {
      throw new VaultError(400, [
        'could not verify hash file, possibly the snapshot is using a different set of unseal keys; use the snapshot-force API to bypass this check',
      ]);
    }
    throw new VaultError(500, [(err as Error).message]);
  }
  const { bytes, sha256 } = await tap.done;
  const foreign = parsed.state.barrier.clusterKey !== core.logical.barrier.clusterKey;
  core.logical = parsed.state;
  core.bumpIndex();
  core.resetUnseal();
  core.rekey = null;
  core.counters.restores += 1;
  core.restores.push({ sha256, bytes, force, time: Date.now() });
  // Real Shamir-sealed Vault cannot reload a keyring from other keys; optional because most tests want the node usable.
  if (foreign && core.options.sealOnForeignRestore) core.sealNow();
  await delayRestoreAnswer(core);
  if (ctx.res.destroyed) return;
  sendNoContent(ctx);
}

export function handleRaftConfiguration(ctx: Ctx, token: TokenEntry): void {
  if (ctx.method !== 'GET') throw new VaultError(405, ['unsupported operation']);
  authorize(token, ctx.path, 'read');
  const core = ctx.core;
  const peers = core.raftPeers?.();
  if (peers) {
    const config = peers.map((p) => ({ node_id: p.id, address: p.address, leader: p.leader, protocol_version: '3', voter: true }));
    return sendEnvelope(ctx, { mountType: 'system', data: { config: { index: core.logical.raftIndex, servers: config } } });
  }
  const standby = core.faults.standby;
  const servers = [{ node_id: 'node1', address: '127.0.0.1:8201', leader: standby === undefined, protocol_version: '3', voter: true }];
  if (standby) {
    let host = 'active';
    try {
      host = new URL(standby.activeAddr).hostname;
    } catch {
      // keep the placeholder
    }
    servers.unshift({ node_id: 'node0', address: `${host}:8201`, leader: true, protocol_version: '3', voter: true });
  }
  sendEnvelope(ctx, { mountType: 'system', data: { config: { index: core.logical.raftIndex, servers } } });
}

export function handleAutopilotState(ctx: Ctx, token: TokenEntry): void {
  if (ctx.method !== 'GET') throw new VaultError(405, ['unsupported operation']);
  authorize(token, ctx.path, 'read');
  const core = ctx.core;
  const unhealthy = core.faults.autopilotUnhealthy === true;
  const index = core.logical.raftIndex;
  const term = core.logical.raftTerm;
  const stableSince = rfc3339(core.activeSince);
  const server = (id: string, address: string, status: string, healthy: boolean, lastContact: string): Record<string, unknown> => ({
    id,
    name: id,
    address,
    node_status: healthy ? 'alive' : 'failed',
    last_contact: lastContact,
    last_term: term,
    last_index: healthy ? index : Math.max(0, index - 120),
    healthy,
    stable_since: stableSince,
    status,
    version: core.version,
    node_type: 'voter',
    meta: {},
  });
  const peers = core.raftPeers?.();
  if (peers) {
    // HA mode: every voter; a sealed node does not take part in raft, so it counts as failed.
    const alive = peers.filter((p) => p.alive).length;
    const all: Record<string, unknown> = {};
    for (const p of peers) all[p.id] = server(p.id, p.address, p.leader ? 'leader' : 'voter', p.alive, p.alive ? '0s' : '1m12.5s');
    return sendEnvelope(ctx, {
      mountType: 'system',
      data: {
        healthy: alive === peers.length,
        failure_tolerance: Math.max(0, alive - (Math.floor(peers.length / 2) + 1)),
        optimistic_failure_tolerance: Math.max(0, alive - (Math.floor(peers.length / 2) + 1)),
        leader: peers.find((p) => p.leader)?.id ?? '',
        voters: peers.map((p) => p.id),
        non_voters: null,
        servers: all,
      },
    });
  }
  const servers: Record<string, unknown> = { node1: server('node1', '127.0.0.1:8201', 'leader', true, '0s') };
  const voters = ['node1'];
  if (unhealthy) {
    servers.node2 = server('node2', '127.0.0.2:8201', 'voter', false, '1m12.5s');
    voters.push('node2');
  }
  sendEnvelope(ctx, {
    mountType: 'system',
    data: {
      healthy: !unhealthy,
      failure_tolerance: 0,
      optimistic_failure_tolerance: 0,
      leader: 'node1',
      voters,
      non_voters: null,
      servers,
    },
  });
}
