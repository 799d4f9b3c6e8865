/**
 * @module streams/byte-queue
 * A FIFO of bytes made of the Buffers a stream was given, so chunking transforms (vcbk1 encrypt
 * and decrypt) can take "exactly N bytes" without concatenating everything they receive.
 *
 * Buffers are kept by reference and handed back as views (`subarray`), so the only copy is the
 * one a caller asks for with `take`. Consumed parts are dropped by index, not `Array.shift`, so a
 * producer writing a million 1-byte Buffers stays linear.
 */

export class ByteQueue {
  /** Slots before `first` are emptied as they are consumed. */
  private parts: Array<Buffer | undefined> = [];
  /** Index of the first live part in `parts`. */
  private first = 0;
  /** Bytes already consumed from `parts[first]`. */
  private offset = 0;
  private size = 0;

  /** Bytes currently queued. */
  get length(): number {
    return this.size;
  }

  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  /** Removes the first `n` bytes and returns them as views over the queued Buffers (no copy). */
  takeViews(n: number): Buffer[] {
    if (n > this.size) throw new RangeError(`ByteQueue: asked for ${n} bytes, ${this.size} queued`);
    const views: Buffer[] = [];
    let wanted = n;
    while (wanted > 0) {
      const part = this.parts[this.first] as Buffer;
      const available = part.length - this.offset;
      if (available <= wanted) {
        views.push(this.offset === 0 ? part : part.subarray(this.offset));
        wanted -= available;
        this.dropFirst();
      } else {
        views.push(part.subarray(this.offset, this.offset + wanted));
        this.offset += wanted;
        wanted = 0;
      }
    }
    this.size -= n;
    return views;
  }

  /** Removes the first `n` bytes as one Buffer; copies only when they span several parts. */
  take(n: number): Buffer {
    const views = this.takeViews(n);
    if (views.length === 1) return views[0] as Buffer;
    return Buffer.concat(views, n);
  }

  /** A copy of the first `n` bytes (or fewer, if fewer are queued), leaving the queue as it is. */
  peek(n: number): Buffer {
    const out = Buffer.alloc(Math.min(n, this.size));
    let at = 0;
    let offset = this.offset;
    for (let i = this.first; at < out.length; i += 1) {
      at += (this.parts[i] as Buffer).copy(out, at, offset);
      offset = 0;
    }
    return out;
  }

  private dropFirst(): void {
    // Let go of the consumed Buffer now, not at the next compaction: with 1 MiB reads, the 64
    // slots kept until then held 64 MiB of ciphertext alive (and into the old generation).
    this.parts[this.first] = undefined;
    this.first += 1;
    this.offset = 0;
    // Compact now and then so the array does not grow with everything ever pushed.
    if (this.first > 64 && this.first * 2 > this.parts.length) {
      this.parts = this.parts.slice(this.first);
      this.first = 0;
    }
  }
}
