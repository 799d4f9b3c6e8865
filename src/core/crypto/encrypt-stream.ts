/**
 * @module crypto/encrypt-stream
 * Encrypts a snapshot into vcbk1 (DESIGN §5) as it streams: memory holds at most one chunk plus
 * whatever the writer handed over in one write.
 *
 * The last chunk: its nonce carries the "last" flag, but a stream only learns it has seen the
 * last byte at end of input. So a full chunk is emitted only once at least one byte *after* it
 * has arrived; at end of input whatever is held (0 … chunkSize bytes) is sealed as the last
 * chunk. Consequences that other tools can rely on:
 *   - an input of exactly N × chunkSize bytes (N ≥ 1) ends with a *full* chunk flagged last,
 *     never with an extra empty chunk;
 *   - only an empty input produces an empty chunk (header + one 16-byte tag).
 * Decoders should still accept an empty last chunk after full ones, which the format allows;
 * ours does (see decrypt-stream.ts).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { STREAM_BUFFER_BYTES } from '../streams/buffering.js';

import { CoreError, ErrorCode } from '../errors.js';
import { ByteQueue } from '../streams/byte-queue.js';
import { KEY_BYTES, type BackupKey } from './keyring.js';
import { chunkNonce, DEFAULT_CHUNK_SIZE, encodeHeader, MAX_CHUNKS, NONCE_PREFIX_BYTES, TAG_BYTES } from './vcbk1-format.js';

export interface EncryptStreamOptions {
  /** Plaintext bytes per chunk; default 65536, at most 16 MiB. */
  chunkSize?: number;
}

export class EncryptStream extends Transform {
  /** The vcbk1 header written first; also each chunk's AAD. */
  readonly header: Buffer;
  readonly keyId: string;
  private readonly key: Buffer;
  private readonly chunkSize: number;
  private readonly noncePrefix: Buffer;
  private readonly pending = new ByteQueue();
  private index = 0;
  private headerSent = false;

  constructor(key: Pick<BackupKey, 'id' | 'key'>, { chunkSize = DEFAULT_CHUNK_SIZE }: EncryptStreamOptions = {}) {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
    if (key.key.length !== KEY_BYTES) throw new RangeError(`backup key "${key.id}" must be ${KEY_BYTES} bytes`);
    this.keyId = key.id;
    this.key = key.key;
    this.chunkSize = chunkSize;
    // A fresh random prefix per file: with the chunk counter it makes every (key, nonce) pair
    // unique without any state shared between backups (2^-56 collision odds per pair of files).
    this.noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
    this.header = encodeHeader(key.id, chunkSize, this.noncePrefix);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.pending.push(chunk);
      // Strictly greater: a chunk that might be the last one waits for more input or the end.
      while (this.pending.length > this.chunkSize) this.seal(this.chunkSize, false);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.seal(this.pending.length, true);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.header);
  }

  private seal(length: number, last: boolean): void {
    if (this.index >= MAX_CHUNKS) {
      throw new CoreError(ErrorCode.Internal, 'Backup is too large for vcbk1 at this chunk size; use a larger chunk size.');
    }
    const cipher = createCipheriv('aes-256-gcm', this.key, chunkNonce(this.noncePrefix, this.index, last), {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(this.header);
    // Ciphertext goes out as GCM produces it, then the tag: joining them into one Buffer per
    // chunk cost a copy and a second allocation of every byte, and with it ~15 % of a backup's
    // CPU (most of it in the garbage collector, which those allocations keep busy).
    for (const view of this.pending.takeViews(length)) this.push(cipher.update(view));
    cipher.final(); // GCM emits nothing here: it is a stream mode.
    this.push(cipher.getAuthTag());
    this.index += 1;
  }
}

/**
 * @example
 *   await pipeline(snapshot, createEncryptStream(keyring.active), store.put(...));
 */
export function createEncryptStream(key: Pick<BackupKey, 'id' | 'key'>, options: EncryptStreamOptions = {}): EncryptStream {
  return new EncryptStream(key, options);
}
