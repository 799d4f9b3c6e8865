import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

import { ByteQueue } from '../../../src/core/streams/byte-queue.js';

describe('ByteQueue', () => {
  it('hands back exactly the bytes asked for, across the Buffers pushed', () => {
    const queue = new ByteQueue();
    for (const part of ['ab', '', 'cde', 'f', 'ghij']) queue.push(Buffer.from(part));
    expect(queue.length).toBe(10);
    expect(queue.peek(4).toString()).toBe('abcd');
    expect(queue.take(1).toString()).toBe('a');
    expect(queue.take(4).toString()).toBe('bcde');
    expect(queue.takeViews(3).map(String)).toEqual(['f', 'gh']);
    expect(queue.peek(99).toString()).toBe('ij');
    expect(queue.take(2).toString()).toBe('ij');
    expect(queue.length).toBe(0);
    expect(() => queue.take(1)).toThrow(RangeError);
  });

  it('stays correct with many tiny pushes', () => {
    const queue = new ByteQueue();
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    for (const byte of bytes) queue.push(Buffer.from([byte]));
    const out: Buffer[] = [];
    while (queue.length > 0) out.push(queue.take(Math.min(queue.length, 333)));
    expect(Buffer.concat(out)).toEqual(bytes);
  });

  it('lets go of a Buffer as soon as its bytes are taken, so a restore does not keep 64 MiB of ciphertext alive', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (o: { type: 'major' }) => Promise<void> | void;
    const queue = new ByteQueue();
    // Fewer parts than the compaction threshold: only releasing on consumption frees them.
    const taken = fillAndTake(queue, 20);
    queue.push(Buffer.from('tail'));
    await new Promise((resolve) => setImmediate(resolve));
    gc({ type: 'major' });
    expect(taken.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(queue.take(4).toString()).toBe('tail');
  });
});

/** Pushes `n` 1 MiB parts and takes them all, in a frame of its own so no local keeps one alive. */
function fillAndTake(queue: ByteQueue, n: number): WeakRef<Buffer>[] {
  const refs: WeakRef<Buffer>[] = [];
  for (let i = 0; i < n; i += 1) {
    const part = Buffer.alloc(1024 * 1024, i);
    refs.push(new WeakRef(part));
    queue.push(part);
  }
  for (let i = 0; i < n; i += 1) queue.take(1024 * 1024);
  return refs;
}
