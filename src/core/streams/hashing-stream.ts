/**
 * @module streams/hashing-stream
 * A pass-through that counts and sha256-hashes the bytes flowing through it, so checksums come
 * from the same single pass as the write (cf. restic internal/repository/hashing/writer.go).
 * Put one before the encryptor for `plain-sha256`/`plain-size` and one after it for `sha256`.
 * The hashing itself runs on the helper thread (threaded-sha256.ts), beside the stages that follow.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { STREAM_BUFFER_BYTES } from './buffering.js';
import { createSha256, offerAll, type Sha256 } from './threaded-sha256.js';

export class HashingStream extends Transform {
  /** Bytes seen so far; final once the stream has ended. */
  bytes = 0;
  /** Opened with the first byte, so a stream that is built but never used holds no helper ring. */
  private hash: Sha256 | undefined;
  private hex: string | undefined;

  constructor() {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    // Handed on before it is hashed: the next stage works on it while the helper hashes the copy.
    this.push(chunk);
    let pending: Promise<void> | undefined;
    try {
      pending = offerAll((this.hash ??= createSha256()), chunk);
    } catch (error) {
      return callback(error as Error);
    }
    if (!pending) return callback();
    pending.then(() => callback(), (error: Error) => callback(error));
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.hex = (this.hash ??= createSha256()).digest();
    } catch (error) {
      return callback(error as Error);
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A no-op once digested.
    this.hash?.abandon();
    callback(error);
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
