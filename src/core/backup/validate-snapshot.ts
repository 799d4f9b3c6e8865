/**
 * @module backup/validate-snapshot
 * A pass-through that checks, in the same single pass as the upload, that the bytes are a whole
 * raft snapshot (the checks are listed in snapshot-check.ts: gzip complete to its trailer, a tar
 * archive whose last member is a non-empty `SHA256SUMS.sealed`, and every member listed in
 * `SHA256SUMS` matching its hash). Bytes flow on unchanged; a problem becomes a stream error
 * (CoreError `snapshot_invalid`) so the pipeline fails and the store discards the half-written
 * object.
 *
 * The checking (inflate, tar walk, content hashing) runs on a worker thread, so on two cores it
 * overlaps with the encryption and hashing on this thread instead of adding to them. Bytes are
 * copied into 512 KiB batches whose memory is transferred to the worker (no second copy) and
 * transferred back once its zlib has taken them, to be refilled: a handful of batches serve a
 * whole snapshot, and no garbage waits for either thread's GC. At most 2 MiB may be in flight: a
 * write waits until the worker has taken earlier batches, so the snapshot goes no faster than it
 * can be checked and memory stays flat.
 *
 * Success (the callback of the final flush) comes only once the worker has seen the whole
 * snapshot and found it whole; `summary` is set then. The worker ends with the stream: after the
 * verdict, on the first problem, on destroy (an aborted pipeline), or on its own crash, which
 * fails the stream.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Worker } from 'node:worker_threads';

import { CoreError, ErrorCode } from '../errors.js';
import { STREAM_BUFFER_BYTES } from '../streams/buffering.js';
import { startModuleWorker } from '../streams/worker-thread.js';
import { invalidSnapshot, type SnapshotSummary } from './snapshot-check.js';
import type { FromCheckWorker, ToCheckWorker } from './snapshot-check-protocol.js';

export { SEAL_MEMBER, type SnapshotMember, type SnapshotSummary } from './snapshot-check.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** Bytes per message to the worker: large enough that messaging costs nothing per byte. */
const BATCH_BYTES = 512 * 1024;
/** Bytes handed to the worker and not yet taken by its zlib; beyond this, writes wait. */
const MAX_IN_FLIGHT_BYTES = 4 * BATCH_BYTES;
export class SnapshotValidator extends Transform {
  /** Set once the snapshot has been read to its end and found whole. */
  summary: SnapshotSummary | undefined;

  private worker: Worker | undefined;
  /** True once the worker gave its verdict, failed, or the stream was destroyed. */
  private settled = false;
  private batch: Buffer | undefined;
  private batchUsed = 0;
  /** Batches the worker handed back, ready to be refilled. */
  private readonly spare: Buffer[] = [];
  private inFlight = 0;
  private plainSize = 0;
  private failure: CoreError | undefined;
  /** Callback of a write waiting for the worker to catch up. */
  private waiting: TransformCallback | undefined;
  /** Callback of the final flush, waiting for the verdict. */
  private flushing: TransformCallback | undefined;

  constructor() {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure) return callback(this.failure);
    const notGzip = this.plainSize < GZIP_MAGIC.length ? checkMagic(chunk, this.plainSize) : undefined;
    if (notGzip) {
      this.failure = notGzip;
      this.stopWorker();
      return callback(notGzip);
    }
    this.plainSize += chunk.length;
    this.push(chunk);
    for (let at = 0; at < chunk.length; ) {
      this.batch ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
      const n = chunk.copy(this.batch, this.batchUsed, at);
      this.batchUsed += n;
      at += n;
      if (this.batchUsed === BATCH_BYTES) this.sendBatch();
    }
    if (this.inFlight < MAX_IN_FLIGHT_BYTES) return callback();
    this.waiting = callback;
  }

  override _flush(callback: TransformCallback): void {
    if (this.failure) return callback(this.failure);
    if (this.plainSize === 0) {
      this.stopWorker();
      return callback(invalidSnapshot('Vault returned an empty snapshot'));
    }
    if (this.batchUsed > 0) this.sendBatch();
    this.flushing = callback;
    this.post({ type: 'end' });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopWorker();
    callback(error);
  }

  private startWorker(): Worker {
    const worker = startModuleWorker('snapshot-check-worker', import.meta.url);
    worker.on('message', (message: FromCheckWorker) => this.onMessage(message));
    worker.on('error', (error: Error) => this.fail(checkerFailed(error.message, error)));
    worker.on('exit', (code) => {
      if (!this.settled) this.fail(checkerFailed(`it exited with code ${code}`));
    });
    return worker;
  }

  private post(message: ToCheckWorker, transfer: ArrayBuffer[] = []): void {
    this.worker ??= this.startWorker();
    this.worker.postMessage(message, transfer);
  }

  private sendBatch(): void {
    const batch = this.batch as Buffer;
    const bytes = new Uint8Array(batch.buffer, batch.byteOffset, this.batchUsed);
    this.inFlight += this.batchUsed;
    this.batch = undefined;
    this.batchUsed = 0;
    // allocUnsafeSlow gives the batch its own ArrayBuffer, so transferring it moves only it.
    this.post({ type: 'bytes', bytes }, [batch.buffer as ArrayBuffer]);
  }

  private onMessage(message: FromCheckWorker): void {
    if (this.settled) return;
    switch (message.type) {
      case 'consumed': {
        const { bytes } = message;
        this.inFlight -= bytes.byteLength;
        this.spare.push(Buffer.from(bytes.buffer, 0, BATCH_BYTES));
        const waiting = this.waiting;
        if (waiting && this.inFlight < MAX_IN_FLIGHT_BYTES) {
          this.waiting = undefined;
          waiting();
        }
        return;
      }
      case 'valid': {
        this.summary = message.summary;
        this.stopWorker();
        const flushing = this.flushing;
        this.flushing = undefined;
        flushing?.();
        return;
      }
      case 'invalid':
        this.fail(new CoreError(ErrorCode.SnapshotInvalid, message.reason));
        return;
    }
  }

  private fail(problem: CoreError): void {
    if (this.failure || this.settled) return;
    this.failure = problem;
    this.stopWorker();
    const waiting = this.waiting ?? this.flushing;
    this.waiting = undefined;
    this.flushing = undefined;
    // Fail now rather than at the next write: a bad snapshot should not keep uploading.
    if (waiting) waiting(problem);
    else this.destroy(problem);
  }

  private stopWorker(): void {
    this.settled = true;
    const worker = this.worker;
    if (worker === undefined) return;
    worker.removeAllListeners('message');
    void worker.terminate();
  }
}

/** Checks the gzip magic here, for a clearer message than zlib's "incorrect header check". */
function checkMagic(chunk: Buffer, seen: number): CoreError | undefined {
  for (let i = seen, j = 0; i < GZIP_MAGIC.length && j < chunk.length; i += 1, j += 1) {
    if (chunk[j] !== GZIP_MAGIC[i]) {
      const start = [...chunk.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      return invalidSnapshot(`it is not gzip data (it starts with ${start}, a Vault snapshot starts with 1f 8b)`);
    }
  }
  return undefined;
}

function checkerFailed(detail: string, cause?: unknown): CoreError {
  return new CoreError(ErrorCode.Internal, `The snapshot could not be checked: its checking thread failed (${detail}).`, { cause });
}

/**
 * @example
 *   const validator = createSnapshotValidator();
 *   await pipeline(vaultSnapshot, validator, encrypt, upload);
 *   validator.summary?.memberCount; // 4
 */
export function createSnapshotValidator(): SnapshotValidator {
  return new SnapshotValidator();
}
