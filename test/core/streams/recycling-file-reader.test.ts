import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { RecyclingFileReader } from '../../../src/core/streams/recycling-file-reader.js';

const PIECE = 4096;
const dir = mkdtempSync(join(tmpdir(), 'vc-recycle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function fileOf(bytes: number): { path: string; content: Buffer } {
  const content = randomBytes(bytes);
  const path = join(dir, `f-${bytes}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, content);
  return { path, content };
}

/** Reads the stream whole; `recycle` says what the consumer does with each chunk once it is used. */
async function consume(reader: RecyclingFileReader, recycle: (chunk: Buffer) => void) {
  const hash = createHash('sha256');
  const memories = new Set<ArrayBufferLike>();
  let bytes = 0;
  for await (const chunk of reader as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    memories.add(chunk.buffer);
    recycle(chunk);
  }
  return { sha256: hash.digest('hex'), bytes, buffers: memories.size };
}

describe('RecyclingFileReader', () => {
  it.each([0, 1, PIECE - 1, PIECE, 3 * PIECE + 5])('reads a %i-byte file exactly, recycled or not', async (size) => {
    const { path, content } = fileOf(size);
    const reader = new RecyclingFileReader(path, PIECE);
    const recycled = await consume(reader, (chunk) => reader.recycle(chunk));
    const kept = await consume(new RecyclingFileReader(path, PIECE), () => undefined);
    for (const read of [recycled, kept]) expect(read).toMatchObject({ bytes: size, sha256: sha256(content) });
  });

  it('fills the same few buffers again when the consumer hands chunks back, and fresh ones when it does not', async () => {
    const { path, content } = fileOf(50 * PIECE);
    const reader = new RecyclingFileReader(path, PIECE);
    const recycled = await consume(reader, (chunk) => reader.recycle(chunk));
    expect(recycled).toMatchObject({ bytes: content.length, sha256: sha256(content) });
    expect(recycled.buffers).toBeLessThanOrEqual(2);

    const kept = await consume(new RecyclingFileReader(path, PIECE), () => undefined);
    expect(kept.buffers).toBe(50);
  });

  it('ignores chunks it did not produce and chunks handed back twice', async () => {
    const { path, content } = fileOf(20 * PIECE + 7);
    const reader = new RecyclingFileReader(path, PIECE);
    const read = await consume(reader, (chunk) => {
      reader.recycle(chunk);
      reader.recycle(chunk);
      reader.recycle(Buffer.alloc(PIECE));
    });
    expect(read).toMatchObject({ bytes: content.length, sha256: sha256(content) });
  });

  it('fails with the file system’s error when the file is missing', async () => {
    await expect(consume(new RecyclingFileReader(join(dir, 'missing'), PIECE), () => undefined)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
