import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

  // Chunks larger than the helper's 1 MiB ring are handed on at once and hashed as the ring drains.
  it('hashes chunks larger than the helper can hold at once, in order', async () => {
    const input = randomBytes(9 * 1024 * 1024 + 3);
    const hasher = new HashingStream();
    const { output } = await run(hasher, input, 1_500_000);
    expect(output.equals(input)).toBe(true);
    expect(hasher.bytes).toBe(input.length);
    expect(hasher.digest()).toBe(createHash('sha256').update(input).digest('hex'));
  });

  // Waiting for the helper must keep the process alive: a CLI restore whose only work left is
  // hashing would otherwise exit half-way, with nothing said.
  it('keeps a process running while its only work left is hashing', async () => {
    const module = fileURLToPath(new URL('../../../src/core/streams/hashing-stream.ts', import.meta.url));
    const script = `
      import { HashingStream } from ${JSON.stringify(module)};
      import { Readable, Writable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      const hasher = new HashingStream();
      await pipeline(Readable.from([Buffer.alloc(48 * 1024 * 1024, 7)]), hasher, new Writable({ write(_c, _e, done) { done(); } }));
      console.log(hasher.digest());`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(stdout.trim()).toBe(createHash('sha256').update(Buffer.alloc(48 * 1024 * 1024, 7)).digest('hex'));
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
