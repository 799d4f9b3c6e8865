/**
 * @module faults Injected failures from `server.faults`, read at the moment they apply so tests can
 * flip them at any time: added latency, per-path-prefix error answers, the snapshot stream
 * pump that can stall (socket left open) or cut the connection after N body bytes, and a restore
 * answered late (applied at once, 204 sent after a delay).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { VaultError, type Ctx } from './http.js';
import type { VaultCore } from './state.js';

declare module './types.js' {
  interface VaultFaults {
    /**
     * A restore (`sys/storage/raft/snapshot[-force]`) is applied as usual, but its 204 is sent only
     * this many ms later — as Vault answers only after installing a big snapshot.
     */
    restoreAnswerDelayMs?: number;
  }
}

/** Holds a restore's answer back by `restoreAnswerDelayMs` (the snapshot is already applied). */
export async function delayRestoreAnswer(core: VaultCore): Promise<void> {
  const ms = core.faults.restoreAnswerDelayMs ?? 0;
  if (ms > 0) await sleep(ms);
}

export async function applyLatency(core: VaultCore): Promise<void> {
  const ms = core.faults.latencyMs ?? 0;
  if (ms > 0) await sleep(ms);
}

/** Never settles for a path under `hangPaths`: a hung Vault, as a client sees it. */
export async function applyHang(core: VaultCore, path: string): Promise<void> {
  if ((core.faults.hangPaths ?? []).some((prefix) => path.startsWith(prefix))) await new Promise<never>(() => {});
}

/** Throws the configured answer when `path` (without `/v1/`) starts with a failing prefix. */
export function checkFailPaths(core: VaultCore, path: string): void {
  const table = core.faults.failPaths;
  if (!table) return;
  for (const [prefix, fault] of Object.entries(table)) {
    if (path.startsWith(prefix)) {
      throw new VaultError(fault.status, fault.message === undefined ? [] : [fault.message]);
    }
  }
}

function writeAndFlush(ctx: Ctx, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    ctx.res.write(chunk, () => resolve());
  });
}

function waitDrainOrClose(ctx: Ctx): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ctx.res.off('drain', done);
      ctx.res.off('close', done);
      resolve();
    };
    ctx.res.on('drain', done);
    ctx.res.on('close', done);
  });
}

/**
 * Copy a snapshot stream to the response honouring `snapshotHangAfterBytes` /
 * `snapshotTruncateAfterBytes`. Headers must already be written.
 */
export async function pumpSnapshot(ctx: Ctx, source: Readable): Promise<void> {
  const { res } = ctx;
  let sent = 0;
  const stopSource = (): void => {
    source.destroy();
  };
  res.on('close', stopSource);
  try {
    const initialLimit = limitOf(ctx.core);
    if (initialLimit && initialLimit.after === 0) return await cut(ctx, initialLimit.kind, source);
    for await (const raw of source) {
      if (res.destroyed) return;
      let chunk = raw as Buffer;
      const limit = limitOf(ctx.core);
      if (limit && sent + chunk.length >= limit.after) {
        chunk = chunk.subarray(0, Math.max(0, limit.after - sent));
        if (chunk.length > 0) await writeAndFlush(ctx, chunk);
        return await cut(ctx, limit.kind, source);
      }
      sent += chunk.length;
      if (!res.write(chunk)) await waitDrainOrClose(ctx);
    }
    res.end();
  } catch {
    // The generator failed or the client went away: a broken stream is what a client would see.
    res.destroy();
  }
}

interface StreamLimit {
  kind: 'hang' | 'truncate';
  after: number;
}

function limitOf(core: VaultCore): StreamLimit | undefined {
  const hang = core.faults.snapshotHangAfterBytes;
  const trunc = core.faults.snapshotTruncateAfterBytes;
  if (hang === undefined && trunc === undefined) return undefined;
  if (trunc === undefined || (hang !== undefined && hang <= trunc)) return { kind: 'hang', after: hang ?? 0 };
  return { kind: 'truncate', after: trunc };
}

async function cut(ctx: Ctx, kind: 'hang' | 'truncate', source: Readable): Promise<void> {
  source.destroy();
  if (kind === 'truncate') {
    // Flush what was promised, then close the connection mid-body.
    const socket = ctx.res.socket as { destroySoon?: () => void } | null;
    if (socket?.destroySoon) socket.destroySoon();
    else ctx.res.destroy();
    return;
  }
  // Hang: keep the socket open and send nothing more; `stop()` destroys it.
  ctx.res.flushHeaders();
}
