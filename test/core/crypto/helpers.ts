/**
 * Test helpers for the crypto streams: run bytes through real streams, in irregular pieces so
 * chunk boundaries never line up with writes by accident.
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { createDecryptStream } from '../../../src/core/crypto/decrypt-stream.js';
import { createEncryptStream } from '../../../src/core/crypto/encrypt-stream.js';
import { keyringFromKeys, type BackupKey, type Keyring } from '../../../src/core/crypto/keyring.js';

export function makeKey(id: string): BackupKey {
  return { id, key: randomBytes(32) };
}

export function ring(...keys: BackupKey[]): Keyring {
  return keyringFromKeys(keys);
}

/** Splits `bytes` into pieces of varying sizes (1 … 3×`around`), deterministic per length. */
export function pieces(bytes: Buffer, around = 5000): Buffer[] {
  const out: Buffer[] = [];
  let seed = bytes.length + 7;
  for (let at = 0; at < bytes.length; ) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (seed % (3 * around));
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** What a transform writes for `input`, and the error it failed with, if any. */
export async function run(transform: Transform, input: Buffer, around?: number): Promise<{ output: Buffer; error?: unknown }> {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from(pieces(input, around)), transform, sink);
    return { output: Buffer.concat(received) };
  } catch (error) {
    return { output: Buffer.concat(received), error };
  }
}

export async function encrypt(plain: Buffer, key: BackupKey, chunkSize?: number): Promise<Buffer> {
  const { output, error } = await run(createEncryptStream(key, chunkSize === undefined ? {} : { chunkSize }), plain);
  if (error) throw error;
  return output;
}

export async function decrypt(encrypted: Buffer, keyring: Keyring): Promise<Buffer> {
  const { output, error } = await run(createDecryptStream(keyring), encrypted);
  if (error) throw error;
  return output;
}

/** Flips bits of one byte in place, as a damaged disk or a tamperer would. */
export function flip(bytes: Buffer, at: number, mask = 0x01): void {
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
}
