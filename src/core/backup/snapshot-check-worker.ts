/**
 * @module backup/snapshot-check-worker
 * Worker-thread entry that runs a SnapshotCheck (gunzip, tar walk, content hashing) for a
 * SnapshotValidator on the main thread, so validation overlaps with encryption and hashing there.
 * Protocol (validate-snapshot.ts is the only other side):
 *
 *   in:  { type: 'bytes', bytes: Uint8Array }  (its buffer transferred)   |  { type: 'end' }
 *   out: { type: 'consumed', bytes }  once zlib took a batch, its buffer transferred back for reuse
 *                                      (the main side's backpressure)
 *        { type: 'valid', summary }  |  { type: 'invalid', reason }  (then nothing more)
 *
 * Anything else that goes wrong here throws, which ends the worker with an 'error' event the main
 * side turns into a failed validation.
 */
import { parentPort } from 'node:worker_threads';
import { youngGcEvery } from '../streams/young-gc.js';
import { SnapshotCheck } from './snapshot-check.js';
import type { ToCheckWorker, FromCheckWorker } from './snapshot-check-protocol.js';

const port = parentPort;
if (port === null) throw new Error('snapshot-check-worker must run in a worker thread');
const post = (message: FromCheckWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

/** zlib's output Buffers are garbage as soon as they are hashed; see young-gc.ts. */
const countForGc = youngGcEvery(2 * 1024 * 1024);

let reported = false;
const check = new SnapshotCheck((problem) => {
  if (reported) return;
  reported = true;
  post({ type: 'invalid', reason: problem.userMessage });
});

port.on('message', (message: ToCheckWorker) => {
  switch (message.type) {
    case 'bytes': {
      const { bytes } = message;
      countForGc(bytes.byteLength);
      // zlib is done with the input when it calls back, so the memory can go back to be refilled.
      check.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), () => post({ type: 'consumed', bytes }, [bytes.buffer as ArrayBuffer]));
      return;
    }
    case 'end':
      check.end((result) => {
        if (result instanceof Error || reported) return;
        reported = true;
        post({ type: 'valid', summary: result });
      });
      return;
    default:
      throw new Error(`snapshot-check-worker: unknown message ${JSON.stringify(message)}`);
  }
});
