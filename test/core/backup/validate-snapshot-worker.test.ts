/**
 * The snapshot validator checks on a worker thread. These tests pin what that must not change or
 * leak: content checked against SHA256SUMS, a bad snapshot failing the pipeline with the reason,
 * the worker gone after success, failure and abort, and memory flat over a large snapshot.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import { createSnapshotValidator } from '../../../src/core/backup/validate-snapshot.js';
import { isCoreError } from '../../../src/core/errors.js';
import { tarOf } from './snapshot-fixtures.js';
import { liveWorkerCount } from '../../../src/core/streams/worker-thread.js';
import { createSnapshotStream } from '../../support/vault/snapshot-build.js';
import { newBarrier } from '../../support/vault/state.js';
import { run } from '../crypto/helpers.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A raft-shaped snapshot whose SHA256SUMS is `sums` (default: the true hashes of both members). */
async function snapshot(state: Buffer, sums?: string): Promise<Buffer> {
  const meta = Buffer.from(JSON.stringify({ Version: 1, Index: 7, Term: 2 }));
  const listed = sums ?? `${sha256(meta)}  meta.json\n${sha256(state)}  state.bin\n`;
  return gzipSync(await tarOf([['meta.json', meta], ['state.bin', state], ['SHA256SUMS', Buffer.from(listed)], ['SHA256SUMS.sealed', randomBytes(64)]]));
}

async function rejection(bytes: Buffer): Promise<string> {
  const { error } = await run(createSnapshotValidator(), bytes);
  if (isCoreError(error, 'snapshot_invalid')) return error.message;
  throw new Error(`expected snapshot_invalid, got ${String(error)}`);
}

/** Waits (briefly) for every worker thread to have exited; returns how many are still alive. */
async function workersLeft(): Promise<number> {
  for (let i = 0; i < 100 && liveWorkerCount() > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
  return liveWorkerCount();
}

describe('snapshot validation on a worker thread', () => {
  it('checks every member listed in SHA256SUMS and reports which were checked', async () => {
    const validator = createSnapshotValidator();
    const bytes = await snapshot(randomBytes(300_000));
    const { output, error } = await run(validator, bytes);
    expect(error).toBeUndefined();
    expect(output.equals(bytes)).toBe(true);
    expect(validator.summary?.checkedMembers).toEqual(['meta.json', 'state.bin']);
    expect(await workersLeft()).toBe(0);
  });

  it('rejects a snapshot whose contents were changed inside a well-formed archive, naming the member', async () => {
    const state = randomBytes(300_000);
    const meta = Buffer.from(JSON.stringify({ Version: 1, Index: 7, Term: 2 }));
    const tampered = Buffer.from(state);
    tampered[123_456] = (tampered[123_456] ?? 0) ^ 0x01;
    // gzip and tar are both intact: only the SHA256SUMS line for state.bin gives it away.
    const message = await rejection(await snapshot(tampered, `${sha256(meta)}  meta.json\n${sha256(state)}  state.bin\n`));
    expect(message).toMatch(/the contents of "state\.bin" do not match SHA256SUMS .*the snapshot is corrupt/);
    expect(await workersLeft()).toBe(0);
  });

  it('rejects a SHA256SUMS that is missing, lists a member the archive lacks, or is not in its format', async () => {
    const meta = Buffer.from('{}');
    const noSums = gzipSync(await tarOf([['meta.json', meta], ['SHA256SUMS.sealed', randomBytes(64)]]));
    expect(await rejection(noSums)).toMatch(/has no SHA256SUMS/);
    const state = randomBytes(1000);
    expect(await rejection(await snapshot(state, `${sha256(state)}  state.bin\n${sha256(state)}  other.bin\n`))).toMatch(/lists "other\.bin", which the archive does not hold/);
    expect(await rejection(await snapshot(state, 'not a checksum line\n'))).toMatch(/SHA256SUMS has a line that is not/);
  });

  it('ends the worker when the source fails mid-way or the consumer gives up, and the pipeline fails', async () => {
    const bytes = await snapshot(randomBytes(2_000_000));
    const cut = new Readable({
      read() {
        this.push(bytes.subarray(0, 1_000_000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(pipeline(cut, createSnapshotValidator(), new Writable({ write: (_c, _e, done) => done() }))).rejects.toThrow('connection reset');
    expect(await workersLeft()).toBe(0);

    let received = 0;
    const failing = new Writable({
      write(chunk: Buffer, _e, done) {
        received += chunk.length;
        done(received > 500_000 ? new Error('disk full') : null);
      },
    });
    await expect(pipeline(Readable.from([bytes.subarray(0, 700_000), bytes.subarray(700_000)]), createSnapshotValidator(), failing)).rejects.toThrow('disk full');
    expect(await workersLeft()).toBe(0);
  });

  it('keeps memory flat over a 256 MiB snapshot: the source is read no faster than it is checked', async () => {
    const size = 256 * 1024 * 1024;
    const state = { kv: {}, tokens: {}, approles: {}, approleEnabled: false, barrier: newBarrier(1, 1), raftIndex: 1, raftTerm: 1 };
    const source = createSnapshotStream({ state, size, gzipLevel: 1 });
    const validator = createSnapshotValidator();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    try {
      await pipeline(source, validator, new Writable({ highWaterMark: 1 << 20, write: (_c, _e, done) => done() }));
    } finally {
      clearInterval(sampler);
    }
    expect(validator.summary?.checkedMembers).toEqual(['meta.json', 'state.bin']);
    expect(validator.summary?.uncompressedSize).toBeGreaterThan(size);
    // The whole snapshot passing through memory would be 256 MiB; buffers and the worker are tens.
    expect((peak - before) / 1024 / 1024).toBeLessThan(96);
    expect(await workersLeft()).toBe(0);
  });
});
