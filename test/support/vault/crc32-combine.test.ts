import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine } from './crc32-combine.js';

describe('crc32Combine', () => {
  it.each([
    [0, 0],
    [0, 9],
    [9, 0],
    [1, 1],
    [100, 1000],
    [7, 1 << 20],
    [3, 3 * (1 << 20) + 17],
  ])('gives zlib.crc32 of A then B for lengths %i and %i', (lengthA, lengthB) => {
    const a = randomBytes(lengthA);
    const b = randomBytes(lengthB);
    expect(crc32Combine(crc32(a), crc32(b), lengthB)).toBe(crc32(Buffer.concat([a, b])));
  });

  it('handles lengths past 32 bits (a filler over 4 GiB)', () => {
    // Zeros keep their CRC state's evolution checkable: crc32 of A then 2^32+1 zeros, done in steps.
    const a = randomBytes(33);
    const zeros = Buffer.alloc(1 << 24);
    let expected = crc32(a);
    let zerosCrc = 0;
    for (let i = 0; i < 256; i += 1) {
      expected = crc32(zeros, expected);
      zerosCrc = crc32(zeros, zerosCrc);
    }
    const one = Buffer.alloc(1);
    expected = crc32(one, expected);
    zerosCrc = crc32(one, zerosCrc);
    expect(crc32Combine(crc32(a), zerosCrc, 2 ** 32 + 1)).toBe(expected);
  });
});
