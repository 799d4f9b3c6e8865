import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { HashingStream } from '../../../src/core/streams/hashing-stream.js';
import { run } from '../crypto/helpers.js';

describe('HashingStream', () => {
  it('passes bytes through unchanged while counting and hashing them', async () => {
    const input = randomBytes(3 * 1024 * 1024 + 5);
    const hasher = new HashingStream();
    const { output } = await run(hasher, input, 40_000);
    expect(output.equals(input)).toBe(true);
    expect(hasher.bytes).toBe(input.length);
    expect(hasher.digest()).toBe(createHash('sha256').update(input).digest('hex'));
    expect(hasher.digest()).toBe(hasher.digest());
  });

  it('hashes an empty stream', async () => {
    const hasher = new HashingStream();
    await run(hasher, Buffer.alloc(0));
    expect(hasher.bytes).toBe(0);
    expect(hasher.digest()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('refuses to give a digest before the stream ended', () => {
    const hasher = new HashingStream();
    hasher.write(Buffer.from('partial'));
    expect(() => hasher.digest()).toThrow(/before the stream ended/);
  });
});
