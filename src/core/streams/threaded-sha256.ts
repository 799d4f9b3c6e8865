/**
 * @module streams/threaded-sha256
 * SHA-256 computed on a helper thread, behind the same synchronous `update` / `digest` a
 * `crypto.Hash` has. A backup hashes every byte three times while it streams (the snapshot for
 * `plain-sha256`, each archive member against SHA256SUMS, the ciphertext for `sha256`) and a
 * restore three times too; on one thread that was about 2 of the 4.3 CPU-seconds the main thread
 * spent on a 1 GiB backup (perf), with the second core half idle. Here `update` only copies the bytes
 * into a ring shared with the helper (a memcpy) and returns; the helper hashes them meanwhile.
 *
 * One helper serves every hash of the process, and only while there are any: it starts with the
 * first and is stopped after IDLE_MS without one, so an idle bot does not keep its ~12–16 MB.
 * `update` blocks only when the ring is full, and `digest` until the helper has hashed the rest
 * (at most RING_BYTES); both are waits for work this thread would otherwise do itself. Streams use
 * `offer` and `room` instead, so a full ring pauses only that stream, not the thread. A helper
 * that dies, or makes no progress for STALL_MS, fails the hash with an error rather than hanging
 * the bot; where a helper thread cannot be created at all, hashing stays on this thread.
 */
import { createHash, type Hash } from 'node:crypto';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

export interface Sha256 {
  /** Takes all of `bytes`, waiting (blocking this thread) while the helper's ring is full. */
  update(bytes: Uint8Array): void;
  /**
   * Takes what fits of `bytes` from `at` without waiting, and returns where it stopped; `room`
   * then says when to offer the rest. Lets a stream hand on its chunk and get on with other work
   * while the helper catches up, instead of blocking the thread.
   */
  offer(bytes: Uint8Array, at: number): number;
  /** Resolves once an `offer` can take more (at once if it can now); rejects if the helper died or stalled. */
  room(): Promise<void>;
  /** Lowercase hex; the hash cannot be used afterwards. */
  digest(): string;
  /** Gives up on an unfinished hash (its stream failed), so the helper stops holding it. */
  abandon(): void;
}

/** Bytes of data in each ring: a power of two. */
const RING_BYTES = 1024 * 1024;
/** The helper hashes at most this much of one ring before moving its read position on. */
const SLICE_BYTES = 256 * 1024;
/** Inputs known to be smaller are hashed on the calling thread. */
const THREADED_MIN_BYTES = RING_BYTES;
const IDLE_MS = 30_000;
const STALL_MS = 30_000;

// Control words at the start of each ring's SharedArrayBuffer (Int32 indexes).
const WRITTEN = 0; // bytes written, modulo 2 × RING_BYTES
const READ = 1; // bytes hashed, modulo 2 × RING_BYTES
const STATE = 2; // 0 while open, then ENDED or ABANDONED (set by us), then DONE or FAILED (set by the helper)
const ENDED = 1;
const ABANDONED = 2;
const DONE = 3;
const FAILED = 4;
const CONTROL_BYTES = 64;
const DIGEST_OFFSET = 16;

/**
 * The helper's whole program: plain JavaScript, run with `eval` so it needs no file next to the
 * compiled code and no TypeScript loader under the tests. It waits on the doorbell, takes new rings
 * from its port, and hashes whatever any ring holds.
 */
const HELPER_SOURCE = `
'use strict';
// An eval'd worker inherits the process's flags, and under --input-type=module it has no require;
// process.getBuiltinModule came in Node 22.3.
const builtin = (name) => (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name) : require(name));
const { workerData, receiveMessageOnPort } = builtin('node:worker_threads');
const { createHash } = builtin('node:crypto');
const { port, bell } = workerData;
const doorbell = new Int32Array(bell);
const rings = new Set();
const RING = ${RING_BYTES}, SLICE = ${SLICE_BYTES};
const WRITTEN = ${WRITTEN}, READ = ${READ}, STATE = ${STATE};
const ENDED = ${ENDED}, ABANDONED = ${ABANDONED}, DONE = ${DONE}, FAILED = ${FAILED};
function finish(ring, state) {
  rings.delete(ring);
  Atomics.store(ring.control, STATE, state);
  Atomics.notify(ring.control, STATE);
}
function serve(ring) {
  const { control, data } = ring;
  let worked = false;
  for (;;) {
    const read = control[READ];
    const used = (Atomics.load(control, WRITTEN) - read + 2 * RING) % (2 * RING);
    if (used === 0) break;
    const at = read % RING;
    const n = Math.min(used, SLICE, RING - at);
    ring.hash.update(data.subarray(at, at + n));
    Atomics.store(control, READ, (read + n) % (2 * RING));
    Atomics.notify(control, READ);
    worked = true;
  }
  const state = Atomics.load(control, STATE);
  if (state === ABANDONED) return finish(ring, DONE), worked;
  if (state === ENDED && Atomics.load(control, WRITTEN) === control[READ]) {
    ring.digest.set(ring.hash.digest());
    finish(ring, DONE);
  }
  return worked;
}
for (;;) {
  const rang = Atomics.load(doorbell, 0);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const sab = m.message;
    rings.add({ control: new Int32Array(sab, 0, ${CONTROL_BYTES / 4}), digest: new Uint8Array(sab, ${DIGEST_OFFSET}, 32), data: new Uint8Array(sab, ${CONTROL_BYTES}), hash: createHash('sha256') });
  }
  let worked = false;
  for (const ring of rings) {
    try {
      if (serve(ring)) worked = true;
    } catch {
      finish(ring, FAILED);
    }
  }
  if (worked) continue;
  // Say we sleep before sleeping: a write that missed this round either moved the bell already
  // (so the wait returns at once) or sees the flag and wakes us.
  Atomics.store(doorbell, 1, 1);
  if (Atomics.load(doorbell, 0) === rang) Atomics.wait(doorbell, 0, rang);
  Atomics.store(doorbell, 1, 0);
}
`;

interface Helper {
  worker: Worker;
  port: MessagePort;
  doorbell: Int32Array;
  open: number;
  idleTimer: NodeJS.Timeout | undefined;
  failed: Error | undefined;
}

let helper: Helper | undefined;
/**
 * Rings whose hash finished, kept for the next hash instead of allocating 1 MiB again. The helper
 * lets go of a ring before it marks it done, so these are safe to reuse under any helper.
 */
const spareRings: SharedArrayBuffer[] = [];
/** Set once a helper could not be started: hashing then stays on this thread. */
let helpersUnavailable = false;

/**
 * A SHA-256 hashed on the helper thread (or on this one where no helper can run). `expectedBytes`,
 * when known, keeps small inputs here: handing a few KiB over costs more than hashing them, and
 * an archive of a million empty members must not cost a million round trips.
 */
export function createSha256(expectedBytes = Number.POSITIVE_INFINITY): Sha256 {
  if (expectedBytes < THREADED_MIN_BYTES) return new LocalSha256();
  const running = helpersUnavailable ? undefined : startHelper();
  return running ? new ThreadedSha256(running) : new LocalSha256();
}

/**
 * Offers all of `bytes` to `hash`: undefined when they fitted at once, else a promise that settles
 * once the rest is in, offered as room appears without blocking the thread. Throws as `offer` does.
 */
export function offerAll(hash: Sha256, bytes: Uint8Array): Promise<void> | undefined {
  const at = hash.offer(bytes, 0);
  return at === bytes.length ? undefined : offerRest(hash, bytes, at);
}

async function offerRest(hash: Sha256, bytes: Uint8Array, at: number): Promise<void> {
  while (at < bytes.length) {
    await hash.room();
    at = hash.offer(bytes, at);
  }
}

function startHelper(): Helper | undefined {
  if (helper && !helper.failed) return helper;
  let started: Helper;
  try {
    const { port1, port2 } = new MessageChannel();
    // [0] moves on every write, [1] is 1 while the helper sleeps (so writes can skip the wake-up).
    const bell = new SharedArrayBuffer(8);
    const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { port: port2, bell }, transferList: [port2] });
    worker.unref();
    port1.unref();
    started = { worker, port: port1, doorbell: new Int32Array(bell), open: 0, idleTimer: undefined, failed: undefined };
  } catch {
    helpersUnavailable = true;
    return undefined;
  }
  const onGone = (error?: Error) => {
    started.failed ??= error ?? new Error('the SHA-256 helper thread exited');
    if (helper === started) helper = undefined;
  };
  started.worker.once('error', onGone);
  started.worker.once('exit', () => onGone());
  helper = started;
  return started;
}

type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
/** `Atomics.waitAsync` (ES2024; in every Node this runs on, but not in our ES2023 lib types). */
const waitAsync = (Atomics as unknown as { waitAsync: (array: Int32Array, index: number, value: number, timeoutMs: number) => WaitAsyncResult }).waitAsync;

function ringDoorbell(h: Helper): void {
  Atomics.add(h.doorbell, 0, 1);
  if (Atomics.load(h.doorbell, 1) === 1) Atomics.notify(h.doorbell, 0);
}

function opened(h: Helper): void {
  h.open += 1;
  if (h.idleTimer) clearTimeout(h.idleTimer);
  h.idleTimer = undefined;
}

function closed(h: Helper): void {
  h.open -= 1;
  if (h.open > 0 || h.failed) return;
  h.idleTimer = setTimeout(() => {
    if (h.open > 0) return;
    if (helper === h) helper = undefined;
    spareRings.length = 0;
    void h.worker.terminate();
  }, IDLE_MS);
  h.idleTimer.unref();
}

class ThreadedSha256 implements Sha256 {
  private readonly ring: SharedArrayBuffer;
  private readonly control: Int32Array;
  private readonly data: Uint8Array;
  private written = 0;
  private finished = false;

  constructor(private readonly helper: Helper) {
    this.ring = spareRings.pop() ?? new SharedArrayBuffer(CONTROL_BYTES + RING_BYTES);
    this.control = new Int32Array(this.ring, 0, CONTROL_BYTES / 4);
    this.control.fill(0);
    this.data = new Uint8Array(this.ring, CONTROL_BYTES);
    opened(helper);
    helper.port.postMessage(this.ring);
    ringDoorbell(helper);
  }

  update(bytes: Uint8Array): void {
    for (let at = this.offer(bytes, 0); at < bytes.length; at = this.offer(bytes, at)) {
      // Read once, then wait on that value: the helper may have emptied the ring since `offer`
      // rang for it, and would then never move READ again.
      const read = Atomics.load(this.control, READ);
      if (this.used(read) === RING_BYTES) this.waitForHelper(READ, read);
    }
  }

  offer(bytes: Uint8Array, at: number): number {
    if (this.finished) throw new Error('SHA-256 updated after digest');
    let copied = false;
    while (at < bytes.length) {
      const used = this.used();
      if (used === RING_BYTES) break;
      const pos = this.written % RING_BYTES;
      const n = copyIntoShared(bytes, at, this.data, pos, Math.min(bytes.length - at, RING_BYTES - used, RING_BYTES - pos));
      at += n;
      this.written = (this.written + n) % (2 * RING_BYTES);
      Atomics.store(this.control, WRITTEN, this.written);
      copied = true;
    }
    if (copied) ringDoorbell(this.helper);
    return at;
  }

  async room(): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (this.finished) throw new Error('SHA-256 waited on after digest or abandon');
      const read = Atomics.load(this.control, READ);
      if (this.used(read) < RING_BYTES) return;
      this.checkProgress(started);
      const waiting = waitAsync(this.control, READ, read, 1000);
      if (!waiting.async) continue;
      // A pending waitAsync does not keep Node's event loop alive: without this timer a process
      // whose only work left is this hash would exit in the middle of it.
      const keepAlive = setTimeout(() => {}, 2000);
      try {
        await waiting.value;
      } finally {
        clearTimeout(keepAlive);
      }
    }
  }

  digest(): string {
    if (this.finished) throw new Error('SHA-256 digested twice');
    this.finished = true;
    Atomics.store(this.control, STATE, ENDED);
    ringDoorbell(this.helper);
    let state = Atomics.load(this.control, STATE);
    while (state === ENDED) {
      this.waitForHelper(STATE, ENDED);
      state = Atomics.load(this.control, STATE);
    }
    // Read before the ring goes back to the spares, where the next hash may take it.
    const hex = state === DONE ? Buffer.from(this.ring, DIGEST_OFFSET, 32).toString('hex') : undefined;
    this.release(state === DONE);
    if (hex === undefined) throw new Error('the SHA-256 helper thread failed');
    return hex;
  }

  abandon(): void {
    if (this.finished) return;
    this.finished = true;
    Atomics.store(this.control, STATE, ABANDONED);
    ringDoorbell(this.helper);
    // The helper lets go of the ring on its next round; it is not reused, in case it still reads.
    closed(this.helper);
  }

  /** Bytes in the ring that the helper has not hashed yet. */
  private used(read = Atomics.load(this.control, READ)): number {
    return (this.written - read + 2 * RING_BYTES) % (2 * RING_BYTES);
  }

  /** Blocks until the helper moves `index` off `value`; throws if it died or stalled. */
  private waitForHelper(index: number, value: number): void {
    const started = Date.now();
    while (Atomics.load(this.control, index) === value) {
      this.checkProgress(started);
      Atomics.wait(this.control, index, value, 1000);
    }
  }

  private checkProgress(waitingSince: number): void {
    if (this.helper.failed) this.fail(`the SHA-256 helper thread stopped (${this.helper.failed.message})`);
    if (Date.now() - waitingSince > STALL_MS) this.fail(`the SHA-256 helper thread made no progress for ${STALL_MS / 1000} s`);
  }

  private fail(message: string): never {
    this.finished = true;
    closed(this.helper);
    throw new Error(message);
  }

  private release(reusable: boolean): void {
    if (reusable) spareRings.push(this.ring);
    closed(this.helper);
  }
}

/** Bounces misaligned copies; small enough to stay in the cache between its two copies. */
const bounce = new Uint8Array(64 * 1024 + 8);

/**
 * Copies up to `max` bytes of `from` (starting at `at`) to `to` at `pos` and returns how many.
 * V8 copies into shared memory with relaxed atomic stores, a word at a time when source and
 * destination are equally aligned and a *byte* at a time when they are not (3 GB/s, against
 * 10–15): HTTP hands over body pieces at any offset, and on Node 22 those byte-wise copies were a
 * quarter of the main thread's time in a backup (perf: v8::internal::relaxed_memmove). A
 * misaligned piece first goes into `bounce` at the destination's alignment (an ordinary memcpy),
 * then across. Backing stores start 8-byte aligned, so the offset tells the alignment; were it
 * wrong, the copy would only be slower.
 */
function copyIntoShared(from: Uint8Array, at: number, to: Uint8Array, pos: number, max: number): number {
  const target = to.byteOffset + pos;
  if ((from.byteOffset + at - target) % 8 === 0) {
    to.set(from.subarray(at, at + max), pos);
    return max;
  }
  const shift = target % 8;
  const n = Math.min(max, bounce.length - shift);
  bounce.set(from.subarray(at, at + n), shift);
  to.set(bounce.subarray(shift, shift + n), pos);
  return n;
}

class LocalSha256 implements Sha256 {
  private readonly hash: Hash = createHash('sha256');
  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }
  offer(bytes: Uint8Array, at: number): number {
    this.hash.update(at === 0 ? bytes : bytes.subarray(at));
    return bytes.length;
  }
  async room(): Promise<void> {}
  digest(): string {
    return this.hash.digest('hex');
  }
  abandon(): void {}
}
