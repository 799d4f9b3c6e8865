/**
 * @module streams/recycling-file-reader
 * Reads a file as a stream whose read buffers are filled again once the consumer says it is done
 * with them (`recycle`), instead of each read allocating a buffer that becomes garbage.
 *
 * Why: uploading the decrypted snapshot to Vault does almost nothing but read and send, so V8 sees
 * little heap allocation and collects the read buffers only when 32–64 MB of them have piled up
 * outside its heap. A bare 1 GiB POST grew the process by 34 MB that way, and it lifted a full
 * restore's peak RSS to 147–152 MB, over everything else it does.
 *
 * A consumer that never recycles still gets every byte, in fresh buffers, as from
 * `fs.createReadStream`; one that recycles a chunk must not touch it afterwards.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { FILE_READ_BYTES } from './buffering.js';

/** A source that takes chunks back once they have been consumed (see `sendBody` in vault/transport). */
export interface RecyclingSource {
  recycle(chunk: Uint8Array): void;
}

/** Spare buffers kept at most: a sender has two or three pieces in flight. */
const MAX_SPARE = 8;

export class RecyclingFileReader extends Readable implements RecyclingSource {
  private handle: FileHandle | undefined;
  private position = 0;
  private readonly spare: Buffer[] = [];
  /** Buffers handed out and not yet recycled, by their memory. */
  private readonly lent = new Map<ArrayBufferLike, Buffer>();

  constructor(private readonly path: string, private readonly pieceBytes = FILE_READ_BYTES) {
    super({ highWaterMark: pieceBytes });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'r').then(
      (handle) => {
        this.handle = handle;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _read(): void {
    const handle = this.handle as FileHandle;
    const buffer = this.spare.pop() ?? Buffer.allocUnsafeSlow(this.pieceBytes);
    handle.read(buffer, 0, this.pieceBytes, this.position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          this.keep(buffer);
          this.push(null);
          return;
        }
        this.position += bytesRead;
        this.lent.set(buffer.buffer, buffer);
        this.push(buffer.subarray(0, bytesRead));
      },
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return callback(error);
    handle.close().then(() => callback(error), (closeError: Error) => callback(error ?? closeError));
  }

  /**
   * Takes back a chunk this stream produced; anything else, or a chunk recycled twice, is ignored.
   * Whole chunks only, as `'data'` delivers them: a slice from `read(n)` shares its buffer with
   * bytes still queued.
   */
  recycle(chunk: Uint8Array): void {
    const buffer = this.lent.get(chunk.buffer);
    if (buffer === undefined) return;
    this.lent.delete(chunk.buffer);
    this.keep(buffer);
  }

  private keep(buffer: Buffer): void {
    if (this.spare.length < MAX_SPARE) this.spare.push(buffer);
  }
}

export function isRecyclingSource(stream: unknown): stream is RecyclingSource {
  return typeof (stream as Partial<RecyclingSource> | null)?.recycle === 'function';
}
