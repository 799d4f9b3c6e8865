/**
 * @module crypto/decrypt-stream
 * Decrypts vcbk1 (DESIGN §5) as it streams. Every chunk is authenticated before a byte of its
 * plaintext is pushed, so what comes out is trustworthy chunk by chunk; the stream as a whole is
 * complete only when it ends without error (a cut file fails at the end, with earlier chunks
 * already emitted, so callers still write to a temporary name and rename on success).
 *
 * Which chunk is last is not written in clear; it is bound into the nonce. A record of
 * chunkSize + 16 bytes with more input after it should be a middle chunk: if it fails as one but
 * authenticates as a last chunk, the file has bytes appended. The bytes left at end of input
 * should be the last chunk: if they fail as one but authenticate as a middle chunk, the file was
 * cut at a chunk boundary. Anything else is a bad tag (wrong key or damaged data). The second
 * attempt only runs on failure, so a good file costs one GCM pass. Bytes appended after a *short*
 * last chunk merge into it; a bounded search for an earlier end finds small appendices.
 *
 * Accepts both ways an encoder may end an input of N × chunkSize bytes: a full chunk flagged last
 * (what our encryptor writes) or an extra empty last chunk.
 */
import { createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { STREAM_BUFFER_BYTES } from '../streams/buffering.js';

import { CoreError, ErrorCode } from '../errors.js';
import { ByteQueue } from '../streams/byte-queue.js';
import type { Keyring } from './keyring.js';
import { chunkNonce, decodeHeader, HEADER_PREFIX_BYTES, headerLength, MAGIC, MAX_CHUNKS, TAG_BYTES, type Vcbk1Header } from './vcbk1-format.js';

export type BackupFormat = 'vcbk1' | 'legacy';

/**
 * Which format a stored backup is in, from its first bytes (4 are enough). Files without the
 * `VCBK` magic are legacy (DESIGN §5), whose first bytes are a random IV; the chance that one
 * starts with `VCBK` by accident is 2^-32, and such a file would then fail loudly, not silently.
 */
export function detectFormat(firstBytes: Buffer): BackupFormat {
  return firstBytes.length >= MAGIC.length && firstBytes.subarray(0, MAGIC.length).equals(MAGIC) ? 'vcbk1' : 'legacy';
}

export class DecryptStream extends Transform {
  /** Known once the header has been read. */
  header: Vcbk1Header | undefined;
  private key: Buffer | undefined;
  private readonly keyring: Keyring;
  private readonly queue = new ByteQueue();
  private index = 0;

  constructor(keyring: Keyring) {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
    this.keyring = keyring;
  }

  /** The key id named in the file's header, once read. */
  get keyId(): string | undefined {
    return this.header?.keyId;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.queue.push(chunk);
      if (this.header === undefined && !this.readHeader()) return callback();
      const record = (this.header as Vcbk1Header).chunkSize + TAG_BYTES;
      // Strictly greater: a record with nothing after it yet may be the last one.
      while (this.queue.length > record) this.openMiddle(this.queue.takeViews(record));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.header === undefined) {
        if (this.queue.length === 0) throw failed('the file is empty');
        if (!this.readHeader()) throw failed('the file is truncated (it ends inside the header)');
      }
      this.openLast(this.queue.take(this.queue.length));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  /** Parses the header once it is all queued; false while more bytes are needed. */
  private readHeader(): boolean {
    if (this.queue.length < HEADER_PREFIX_BYTES) return false;
    const length = headerLength(this.queue.peek(HEADER_PREFIX_BYTES));
    if (this.queue.length < length) return false;
    const header = decodeHeader(this.queue.take(length));
    const entry = this.keyring.get(header.keyId);
    if (entry === undefined) {
      throw new CoreError(
        ErrorCode.KeyUnknown,
        `backup was encrypted with key ${JSON.stringify(header.keyId)}, which is not in BACKUP_KEYS`,
      );
    }
    this.header = header;
    this.key = entry.key;
    return true;
  }

  /**
   * A full record with more input after it, as views over the queued Buffers: the good path
   * decrypts them in place and pushes GCM's output as it comes, after the tag checked out. Joining
   * each record into one Buffer first cost a copy and an allocation of every byte; only a record
   * that fails is joined, to explain why.
   */
  private openMiddle(views: Buffer[]): void {
    const plain = this.openViews(views, false);
    if (plain === undefined) throw this.diagnose(views.length === 1 ? (views[0] as Buffer) : Buffer.concat(views), false);
    this.index += 1;
    for (const piece of plain) this.push(piece);
  }

  /** Plaintext pieces of one chunk given as consecutive views, if it authenticates; else undefined. */
  private openViews(views: Buffer[], last: boolean): Buffer[] | undefined {
    const header = this.header as Vcbk1Header;
    if (this.index >= MAX_CHUNKS) throw failed('it has more chunks than the format allows');
    let length = 0;
    for (const view of views) length += view.length;
    const tagAt = length - TAG_BYTES;
    const tag = Buffer.alloc(TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key as Buffer, chunkNonce(header.noncePrefix, this.index, last), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(header.bytes);
    const plain: Buffer[] = [];
    let at = 0;
    for (const view of views) {
      const end = at + view.length;
      if (at < tagAt) plain.push(decipher.update(end <= tagAt ? view : view.subarray(0, tagAt - at)));
      if (end > tagAt) view.copy(tag, Math.max(0, at - tagAt), Math.max(0, tagAt - at));
      at = end;
    }
    decipher.setAuthTag(tag);
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return plain;
  }

  /** Whatever is left at end of input. */
  private openLast(record: Buffer): void {
    if (record.length < TAG_BYTES) {
      throw failed(`the file is truncated (chunk ${this.index} is ${record.length} bytes, shorter than its tag)`);
    }
    const plain = this.open(record, true);
    if (plain === undefined) throw this.diagnose(record, true);
    this.push(plain);
  }

  /** Why `record` failed to authenticate as chunk `index`; only runs on the failure path. */
  private diagnose(record: Buffer, atEnd: boolean): CoreError {
    const n = this.index;
    if (!atEnd && this.open(record, true) !== undefined) {
      return failed(`there are trailing bytes after the last chunk (chunk ${n} is flagged last but more data follows)`);
    }
    const full = (this.header as Vcbk1Header).chunkSize + TAG_BYTES;
    if (atEnd && record.length === full && this.open(record, false) !== undefined) {
      return failed(`the file is truncated (it ends after chunk ${n}, which is not flagged last)`);
    }
    const lastLength = this.findShorterLastChunk(record);
    if (lastLength !== undefined) {
      const extra = record.length - lastLength;
      const more = atEnd ? `${extra} byte${extra === 1 ? '' : 's'}` : 'more data';
      return failed(`there are trailing bytes after the last chunk (chunk ${n} is followed by ${more})`);
    }
    if (n === 0) {
      const id = JSON.stringify(this.keyId);
      return failed(`bad tag at chunk 0 (the key ${id} in BACKUP_KEYS is not the key this backup was encrypted with, or the file is damaged)`);
    }
    if (atEnd) return failed(`bad tag at chunk ${n}, the final chunk (the file is truncated or was damaged or tampered with)`);
    return failed(`bad tag at chunk ${n} (the file was damaged, tampered with or its chunks reordered)`);
  }

  /**
   * Looks for a last chunk that ends inside `record` (bytes appended after a short last chunk).
   * The format has no length field, so this means trying each end position, shortest appendix
   * first. The work is capped so a damaged file fails in well under a second; appendices beyond
   * the cap are reported as a bad tag instead.
   */
  private findShorterLastChunk(record: Buffer): number | undefined {
    let budget = DIAGNOSE_BUDGET_BYTES;
    for (let length = record.length - 1; length >= TAG_BYTES && budget > 0; length -= 1) {
      budget -= length;
      if (this.open(record.subarray(0, length), true) !== undefined) return length;
    }
    return undefined;
  }

  /** Plaintext of one chunk if it authenticates under this index and last flag, else undefined. */
  private open(record: Buffer, last: boolean): Buffer | undefined {
    const header = this.header as Vcbk1Header;
    if (this.index >= MAX_CHUNKS) throw failed('it has more chunks than the format allows');
    const tagAt = record.length - TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', this.key as Buffer, chunkNonce(header.noncePrefix, this.index, last), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(header.bytes);
    decipher.setAuthTag(record.subarray(tagAt));
    const plain = decipher.update(record.subarray(0, tagAt));
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return plain;
  }
}

/** Bytes of trial decryption allowed when explaining a failure (~0.2 s with AES-NI). */
const DIAGNOSE_BUDGET_BYTES = 128 * 1024 * 1024;

function failed(reason: string): CoreError {
  return new CoreError(ErrorCode.DecryptFailed, `Backup cannot be decrypted: ${reason}.`);
}

/**
 * @example
 *   await pipeline(store.get(key), createDecryptStream(keyring), createWriteStream(tmp));
 */
export function createDecryptStream(keyring: Keyring): DecryptStream {
  return new DecryptStream(keyring);
}
