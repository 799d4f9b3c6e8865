/**
 * @module streams/hashing-stream
 * A pass-through that counts and sha256-hashes the bytes flowing through it, so checksums come
 * from the same single pass as the write (cf. restic internal/repository/hashing/writer.go).
 * Put one before the encryptor for `plain-sha256`/`plain-size` and one after it for `sha256`.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { STREAM_BUFFER_BYTES } from './buffering.js';

export class HashingStream extends Transform {
  /** Bytes seen so far; final once the stream has ended. */
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private hex: string | undefined;

  constructor() {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    callback();
  }

  /** sha256 (hex) of every byte that went through; only after the stream ended. */
  digest(): string {
    if (this.hex === undefined) throw new Error('HashingStream.digest() called before the stream ended');
    return this.hex;
  }
}

export function createHashingStream(): HashingStream {
  return new HashingStream();
}
