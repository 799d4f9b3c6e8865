import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { createSha256 } from '../../../src/core/streams/threaded-sha256.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function feed(input: Buffer, piece: number) {
  const hash = createSha256();
  for (let at = 0; at < input.length; at += piece) hash.update(input.subarray(at, at + piece));
  return hash;
}

describe('createSha256 (hashed on a helper thread)', () => {
  // The helper's ring holds 1 MiB: these go round it several times, in pieces that do and do not
  // divide it, so every wrap and every "ring full" wait is taken.
  it.each([1000, 65_536, 300_007, MiB, 3 * MiB + 7])('gives crypto’s SHA-256 for 5 MiB fed in %i-byte pieces', (piece) => {
    const input = randomBytes(5 * MiB + 13);
    expect(feed(input, piece).digest()).toBe(sha256(input));
  });

  // Bytes that sit at a different alignment from their place in the ring take another copy path
  // (through a 64 KiB bounce buffer): pieces larger than it, smaller, and across the ring's end.
  it.each([1, 3, 4, 7])('gives crypto’s SHA-256 for input that starts %i bytes into its memory', (offset) => {
    const input = randomBytes(3 * MiB + 11);
    const shifted = Buffer.alloc(input.length + offset);
    input.copy(shifted, offset);
    const hash = createSha256();
    const pieces = [5, 200_003, 65_536, 1000, 150_001];
    for (let at = 0, i = 0; at < input.length; i += 1) {
      const n = pieces[i % pieces.length]!;
      // Buffers, as streams hand over, and plain Uint8Arrays, as the interface allows.
      const piece = shifted.subarray(offset + at, offset + at + n);
      hash.update(i % 2 === 0 ? piece : new Uint8Array(piece.buffer, piece.byteOffset, piece.length));
      at += n;
    }
    expect(hash.digest()).toBe(sha256(input));
  });

  it.each([0, 1, MiB - 1, MiB, MiB + 1])('gives crypto’s SHA-256 of %i bytes', (length) => {
    const input = randomBytes(length);
    expect(feed(input, 4096).digest()).toBe(sha256(input));
  });

  it('keeps hashes made at the same time apart', () => {
    const inputs = [randomBytes(3 * MiB), randomBytes(2 * MiB + 1), randomBytes(MiB / 2)];
    const hashes = inputs.map(() => createSha256());
    for (let at = 0; at < 3 * MiB; at += 50_000) inputs.forEach((input, i) => hashes[i]!.update(input.subarray(at, at + 50_000)));
    expect(hashes.map((h) => h.digest())).toEqual(inputs.map(sha256));
  });

  it('lets an abandoned hash go without disturbing the others, and keeps serving new ones', () => {
    const kept = createSha256();
    const input = randomBytes(4 * MiB);
    for (let i = 0; i < 5; i += 1) {
      const dropped = createSha256();
      dropped.update(randomBytes(2 * MiB));
      kept.update(input.subarray(i * 100_000, (i + 1) * 100_000));
      dropped.abandon();
      dropped.abandon();
    }
    kept.update(input.subarray(500_000));
    expect(kept.digest()).toBe(sha256(input));
    expect(feed(input, 70_000).digest()).toBe(sha256(input));
  });

  // What a stream uses so its thread is not blocked: offer what fits now, wait for room without blocking.
  it('takes at most a ring’s worth per offer, and hashes everything offered as room appears', async () => {
    const input = randomBytes(8 * MiB + 5);
    const shifted = Buffer.alloc(input.length + 3);
    input.copy(shifted, 3);
    const view = shifted.subarray(3);
    const hash = createSha256();
    let at = hash.offer(view, 0);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(view.length);
    let offers = 1;
    while (at < view.length) {
      await hash.room();
      at = hash.offer(view, at);
      offers += 1;
    }
    expect(offers).toBeGreaterThan(1);
    expect(hash.digest()).toBe(sha256(input));
  });

  it('stops waiting for room once the hash is abandoned', async () => {
    const hash = createSha256();
    const input = randomBytes(4 * MiB);
    hash.offer(input, 0);
    hash.abandon();
    await expect(hash.room()).rejects.toThrow(/abandon/);
  });

  it('hashes inputs known to be small on the calling thread, with the same result', () => {
    const input = randomBytes(10_000);
    const hash = createSha256(input.length);
    hash.update(input);
    expect(hash.digest()).toBe(sha256(input));
  });

  it('refuses use after digest, as crypto’s Hash does', () => {
    const hash = feed(Buffer.from('once'), 4);
    hash.digest();
    expect(() => hash.update(Buffer.from('again'))).toThrow(/after digest/);
    expect(() => hash.digest()).toThrow(/twice/);
  });
});
