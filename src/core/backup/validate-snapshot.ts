/**
 * @module backup/validate-snapshot
 * A pass-through that checks, in the same single pass as the upload, that the bytes are a whole
 * raft snapshot: a gzip stream, complete to its trailer (zlib checks CRC and length), holding a tar
 * archive whose last member is a non-empty `SHA256SUMS.sealed` — the file Vault and OpenBao write
 * last, so a snapshot cut short anywhere lacks it — and whose `SHA256SUMS` lines ("<hex>  <name>",
 * as hashicorp/raft-snapshot writes them) each match the SHA-256 of that member. Vault's own
 * restore checks those sums, so a backup that passes here is one it will take, and a changed byte
 * inside the archive is found on the night of the backup, not on the day of a restore. Bytes flow
 * on unchanged; a problem becomes a stream error (CoreError `snapshot_invalid`) so the pipeline
 * fails and the store discards the half-written object.
 *
 * Memory stays flat: tar members are hashed and counted, never kept (only SHA256SUMS, capped), and
 * writes into gunzip honour its backpressure, so the snapshot goes no faster than it can be checked.
 * Success (the callback of the final flush) comes only after gunzip has seen the gzip end and the
 * tar reader has consumed everything; `summary` is set then.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import { extract as createTarExtract, type Extract } from 'tar-stream';

import { CoreError, ErrorCode } from '../errors.js';
import { STREAM_BUFFER_BYTES } from '../streams/buffering.js';
import { createSha256, offerAll, type Sha256 } from '../streams/threaded-sha256.js';

export const SEAL_MEMBER = 'SHA256SUMS.sealed';
export const SUMS_MEMBER = 'SHA256SUMS';
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/**
 * gunzip works on the threadpool, one task per write, and each task's result waits for this
 * thread to be free before the next task starts: HTTP hands us 16–64 KiB pieces, and a round trip
 * per piece halved backup throughput. Writes are batched to this size, and gunzip's output comes
 * in pieces of the same size, so one round trip carries a whole batch. `npm run bench`, 1 GiB:
 * 256 KiB batches gave backup 144 MB/s and a dry-run restore 263; 384 KiB 168 and 281; 512 KiB 160
 * and 320; peak RSS the same within noise (131–141 MB). 1 MiB batches were faster still but the
 * dry-run restore then peaked at 153 MB, over the 150 MB bound; 2 MiB ones slowed the backup.
 * The batches are reused once zlib has read them: joining pieces into a new Buffer each time made
 * a second gigabyte of garbage per gigabyte validated, and V8 collects Buffer memory with a full
 * collection every few dozen MB of it (118 of them in a 1 GiB dry-run restore; 83 now).
 */
const GUNZIP_BATCH_BYTES = 512 * 1024;
/** Names kept for the summary; a real snapshot has four members, a hostile one could have millions. */
const MAX_RECORDED_MEMBERS = 64;
/** Member hashes kept for the SHA256SUMS check; a member listed there beyond these is reported missing. */
const MAX_HASHED_MEMBERS = 1024;
/** A real SHA256SUMS is two lines; anything much larger is not one. */
const MAX_SUMS_BYTES = 64 * 1024;

export interface SnapshotMember {
  name: string;
  size: number;
}

export interface SnapshotSummary {
  /** The first members, in archive order (at most 64). */
  members: SnapshotMember[];
  memberCount: number;
  /** Bytes of the snapshot as Vault sent it (gzip), i.e. the `plain-size` of the backup. */
  plainSize: number;
  /** Bytes of the tar archive inside the gzip. */
  uncompressedSize: number;
  /** Members whose contents matched their SHA256SUMS line, in its order. */
  checkedMembers: string[];
}

function invalid(reason: string, cause?: unknown): CoreError {
  return new CoreError(ErrorCode.SnapshotInvalid, `The snapshot is not usable: ${reason}.`, { cause });
}

export class SnapshotValidator extends Transform {
  /** Set once the snapshot has been read to its end and found whole. */
  summary: SnapshotSummary | undefined;

  // zlib's 16 KiB default output pieces would each wait for a round trip; see GUNZIP_BATCH_BYTES.
  private readonly gunzip: Gunzip = createGunzip({
    chunkSize: GUNZIP_BATCH_BYTES,
    // zlib streams are Transforms and honour this at run time; @types/node's ZlibOptions omits it.
    highWaterMark: STREAM_BUFFER_BYTES,
  } as ZlibOptions);
  private readonly tar: Extract = createTarExtract();
  private readonly members: SnapshotMember[] = [];
  private readonly hashes = new Map<string, string>();
  /** The hash of the member being read, to give up on if the stream fails midway. */
  private memberHash: Sha256 | undefined;
  /**
   * Set while bytes of the member being read wait for room in its hash; its body is paused
   * meanwhile, so the thread goes on with other work instead of blocking on the helper.
   */
  private memberBacklog: Promise<void> | undefined;
  private readonly sums: Buffer[] = [];
  private sumsBytes = 0;
  private memberCount = 0;
  private last: SnapshotMember | undefined;
  private plainSize = 0;
  private uncompressedSize = 0;
  private failure: CoreError | undefined;
  /** Callback of a write waiting for gunzip to drain, or of the flush waiting for the end. */
  private waiting: ((error?: Error | null) => void) | undefined;
  private tarFinished = false;
  /** The batch being filled, and how much of it is. */
  private batch: Buffer | undefined;
  private batchBytes = 0;
  /** Batches gunzip has finished with, to be refilled instead of allocating (and collecting) new ones. */
  private readonly spare: Buffer[] = [];

  /** `newHash` gives each member's hash: the helper thread's, or one that behaves like it (tests). */
  constructor(private readonly newHash: (expectedBytes: number) => Sha256 = createSha256) {
    super({ highWaterMark: STREAM_BUFFER_BYTES });
    this.gunzip.on('error', (error: NodeJS.ErrnoException) => this.fail(gzipProblem(error)));
    this.tar.on('error', (error: Error) => this.fail(tarProblem(error)));
    this.gunzip.on('data', (bytes: Buffer) => {
      this.uncompressedSize += bytes.length;
      if (!this.tar.write(bytes)) this.gunzip.pause();
    });
    this.tar.on('drain', () => this.gunzip.resume());
    this.gunzip.on('drain', () => this.release());
    this.gunzip.on('end', () => this.tar.end(undefined));
    this.tar.on('entry', (header, body, next) => {
      const member: SnapshotMember = { name: header.name, size: 0 };
      const hash = this.newHash(header.size ?? 0);
      this.memberHash = hash;
      const isSums = header.name === SUMS_MEMBER;
      // The body only errors when the reader itself fails, which is reported through `this.tar`.
      body.on('error', () => undefined);
      body.on('data', (data) => {
        const bytes = data as Buffer;
        member.size += bytes.length;
        if (this.memberBacklog) {
          // The body was paused, but a piece came anyway: it goes in after the rest.
          this.memberBacklog = this.memberBacklog.then(() => offerAll(hash, bytes));
        } else {
          let pending: Promise<void> | undefined;
          try {
            pending = offerAll(hash, bytes);
          } catch (error) {
            this.fail(hashingFailed(error));
            return;
          }
          if (pending) {
            body.pause();
            this.memberBacklog = pending;
            this.memberFed().then(() => body.resume(), (error: unknown) => this.fail(hashingFailed(error)));
          }
        }
        if (isSums && this.sumsBytes < MAX_SUMS_BYTES) {
          this.sums.push(Buffer.from(bytes));
          this.sumsBytes += bytes.length;
        }
      });
      const ended = () => {
        this.memberCount += 1;
        if (this.members.length < MAX_RECORDED_MEMBERS) this.members.push(member);
        this.memberHash = undefined;
        let hex: string;
        try {
          hex = hash.digest();
        } catch (error) {
          return this.fail(hashingFailed(error));
        }
        if (this.hashes.size < MAX_HASHED_MEMBERS || this.hashes.has(member.name)) this.hashes.set(member.name, hex);
        this.last = member;
        next();
      };
      body.on('end', () => {
        if (!this.memberBacklog) return ended();
        this.memberFed().then(ended, (error: unknown) => this.fail(hashingFailed(error)));
      });
      body.resume();
    });
    this.tar.on('finish', () => {
      this.tarFinished = true;
      this.release();
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure) return callback(this.failure);
    const notGzip = this.plainSize < GZIP_MAGIC.length ? this.checkMagic(chunk) : undefined;
    if (notGzip) {
      this.failure = notGzip;
      return callback(notGzip);
    }
    this.plainSize += chunk.length;
    this.push(chunk);
    let room = true;
    for (let at = 0; at < chunk.length; ) {
      this.batch ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(GUNZIP_BATCH_BYTES);
      const copied = chunk.copy(this.batch, this.batchBytes, at);
      this.batchBytes += copied;
      at += copied;
      if (this.batchBytes === GUNZIP_BATCH_BYTES) room = this.writeBatch();
    }
    if (room) return callback();
    this.waiting = callback;
  }

  override _flush(callback: TransformCallback): void {
    if (this.failure) return callback(this.failure);
    if (this.plainSize === 0) return callback(invalid('Vault returned an empty snapshot'));
    this.waiting = (error) => (error ? callback(error) : callback(this.verdict()));
    if (this.batchBytes > 0) this.writeBatch();
    this.gunzip.end();
    // gunzip stops at the gzip trailer; if it got there before our input ended, the tar reader
    // may already be done and no further event would come.
    this.release();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.memberHash?.abandon();
    this.gunzip.destroy();
    this.tar.destroy();
    callback(error);
  }

  /** Hands the batch to gunzip; false when it wants us to wait for 'drain'. */
  private writeBatch(): boolean {
    const batch = this.batch as Buffer;
    const used = this.batchBytes;
    this.batch = undefined;
    this.batchBytes = 0;
    // zlib calls back once it has read the whole input, so the memory can be refilled.
    return this.gunzip.write(used === batch.length ? batch : batch.subarray(0, used), () => {
      if (used === batch.length) this.spare.push(batch);
    });
  }

  /** Called on gunzip drain and tar finish: lets a waiting write or the flush go on. */
  private release(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    // A flush waits for the tar reader to finish, a write only for gunzip to drain.
    if (this.gunzip.writableEnded && !this.tarFinished) return;
    this.waiting = undefined;
    waiting();
  }

  /** Resolves once every byte of the member being read is in its hash. */
  private async memberFed(): Promise<void> {
    let failure: { error: unknown } | undefined;
    while (this.memberBacklog) {
      const backlog = this.memberBacklog;
      // Every link is awaited, even after one failed, so none is left rejecting unhandled.
      await backlog.catch((error: unknown) => {
        failure ??= { error };
      });
      if (this.memberBacklog === backlog) this.memberBacklog = undefined;
    }
    if (failure) throw failure.error;
  }

  private fail(problem: CoreError): void {
    if (this.failure) return;
    this.failure = problem;
    this.gunzip.destroy();
    this.tar.destroy();
    const waiting = this.waiting;
    this.waiting = undefined;
    // Fail now rather than at the next write: a bad snapshot should not keep uploading.
    if (waiting) waiting(problem);
    else this.destroy(problem);
  }

  /** Checks the gzip magic ourselves, for a clearer message than zlib's "incorrect header check". */
  private checkMagic(chunk: Buffer): CoreError | undefined {
    for (let i = this.plainSize, j = 0; i < GZIP_MAGIC.length && j < chunk.length; i += 1, j += 1) {
      if (chunk[j] !== GZIP_MAGIC[i]) {
        const start = [...chunk.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        return invalid(`it is not gzip data (it starts with ${start}, a Vault snapshot starts with 1f 8b)`);
      }
    }
    return undefined;
  }

  private verdict(): CoreError | null {
    const last = this.last;
    if (last === undefined) return invalid('the archive holds no files');
    if (last.name !== SEAL_MEMBER || last.size === 0) {
      const found = last.name === SEAL_MEMBER ? `an empty ${SEAL_MEMBER}` : JSON.stringify(last.name);
      return invalid(`its last member is ${found}, expected a non-empty ${SEAL_MEMBER} (the snapshot is incomplete)`);
    }
    const checked = this.checkSums();
    if (checked instanceof CoreError) return checked;
    this.summary = {
      members: this.members,
      memberCount: this.memberCount,
      plainSize: this.plainSize,
      uncompressedSize: this.uncompressedSize,
      checkedMembers: checked,
    };
    return null;
  }

  /** Every line of SHA256SUMS must name a member whose contents hash to it. */
  private checkSums(): string[] | CoreError {
    if (!this.hashes.has(SUMS_MEMBER)) return invalid(`the archive has no ${SUMS_MEMBER}, so its contents cannot be checked`);
    if (this.sumsBytes >= MAX_SUMS_BYTES) return invalid(`its ${SUMS_MEMBER} is ${MAX_SUMS_BYTES} bytes or more, which no Vault writes`);
    const lines = Buffer.concat(this.sums).toString('utf8').split('\n').filter((line) => line !== '');
    if (lines.length === 0) return invalid(`its ${SUMS_MEMBER} is empty`);
    const checked: string[] = [];
    for (const line of lines) {
      const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (match === null) return invalid(`its ${SUMS_MEMBER} has a line that is not "<sha256>  <name>": ${JSON.stringify(line.slice(0, 80))}`);
      const [, expected, name] = match as unknown as [string, string, string];
      const actual = this.hashes.get(name);
      if (actual === undefined) return invalid(`its ${SUMS_MEMBER} lists ${JSON.stringify(name.slice(0, 80))}, which the archive does not hold`);
      if (actual !== expected) {
        return invalid(`the contents of ${JSON.stringify(name.slice(0, 80))} do not match ${SUMS_MEMBER} (sha256 ${actual.slice(0, 12)}…, listed ${expected.slice(0, 12)}…); the snapshot is corrupt`);
      }
      checked.push(name);
    }
    return checked;
  }
}

/** Not the snapshot's fault: the bot could not hash it (see threaded-sha256.ts). */
function hashingFailed(error: unknown): CoreError {
  return new CoreError(ErrorCode.Internal, `The snapshot could not be checked: ${(error as Error).message}; try again.`, { cause: error });
}

function gzipProblem(error: NodeJS.ErrnoException): CoreError {
  if (error.code === 'Z_BUF_ERROR') return invalid('the gzip stream is truncated (the snapshot was cut short)', error);
  return invalid(`the gzip data is corrupt (${error.message})`, error);
}

function tarProblem(error: Error): CoreError {
  if (/unexpected end of data/i.test(error.message)) return invalid('the tar archive inside is truncated', error);
  return invalid(`the gzip content is not a valid tar archive (${error.message})`, error);
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
