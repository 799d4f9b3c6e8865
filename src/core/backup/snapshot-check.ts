/**
 * @module backup/snapshot-check
 * The checks behind snapshot validation (DESIGN §4: only a whole raft snapshot may become a
 * backup), apart from the stream that carries the bytes, so they can run on a worker thread
 * (snapshot-check-worker.ts) while the caller's thread encrypts and hashes:
 *
 *   - a gzip stream, complete to its trailer (zlib checks CRC and length);
 *   - holding a tar archive (tar-stream checks every header) read to its end;
 *   - whose last member is a non-empty `SHA256SUMS.sealed`, the file Vault and OpenBao write last,
 *     so a snapshot cut short anywhere lacks it;
 *   - with a `SHA256SUMS` whose every line ("<hex>  <name>", as hashicorp/raft writes it) matches
 *     the SHA-256 of that member's contents, so a changed byte inside the archive is caught here
 *     and not by Vault on the day of a restore.
 *
 * Memory stays flat: members are hashed and counted, never kept (only SHA256SUMS, capped), and
 * the caller hands in bytes only as `write` reports them consumed.
 */
import { createHash, type Hash } from 'node:crypto';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import { extract as createTarExtract, type Extract } from 'tar-stream';

import { CoreError, ErrorCode } from '../errors.js';
import { STREAM_BUFFER_BYTES } from '../streams/buffering.js';

export const SEAL_MEMBER = 'SHA256SUMS.sealed';
export const SUMS_MEMBER = 'SHA256SUMS';
/** Names kept for the summary; a real snapshot has four members, a hostile one could have millions. */
const MAX_RECORDED_MEMBERS = 64;
/** Member hashes kept for the SHA256SUMS check; names beyond this are checked only if listed early. */
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
  /** Members whose contents matched their SHA256SUMS line. */
  checkedMembers: string[];
}

export function invalidSnapshot(reason: string, cause?: unknown): CoreError {
  return new CoreError(ErrorCode.SnapshotInvalid, `The snapshot is not usable: ${reason}.`, { cause });
}

export class SnapshotCheck {
  private readonly gunzip: Gunzip = createGunzip({
    chunkSize: 256 * 1024,
    // zlib streams are Transforms and honour this at run time; @types/node's ZlibOptions omits it.
    highWaterMark: STREAM_BUFFER_BYTES,
  } as ZlibOptions);
  private readonly tar: Extract = createTarExtract();
  private readonly members: SnapshotMember[] = [];
  private readonly hashes = new Map<string, string>();
  private sums: Buffer[] = [];
  private sumsBytes = 0;
  private memberCount = 0;
  private last: SnapshotMember | undefined;
  private plainSize = 0;
  private uncompressedSize = 0;
  private failure: CoreError | undefined;
  private tarFinished = false;
  private onEnd: ((result: SnapshotSummary | CoreError) => void) | undefined;

  /** `onProblem` is called once, as soon as the snapshot is found bad (even between writes). */
  constructor(private readonly onProblem: (problem: CoreError) => void) {
    this.gunzip.on('error', (error: NodeJS.ErrnoException) => this.fail(gzipProblem(error)));
    this.tar.on('error', (error: Error) => this.fail(tarProblem(error)));
    this.gunzip.on('data', (bytes: Buffer) => {
      this.uncompressedSize += bytes.length;
      if (!this.tar.write(bytes)) this.gunzip.pause();
    });
    this.tar.on('drain', () => this.gunzip.resume());
    this.gunzip.on('end', () => this.tar.end(undefined));
    this.tar.on('entry', (header, body, next) => {
      const member: SnapshotMember = { name: header.name, size: 0 };
      const hash: Hash = createHash('sha256');
      const isSums = header.name === SUMS_MEMBER;
      // The body only errors when the reader itself fails, which is reported through `this.tar`.
      body.on('error', () => undefined);
      body.on('data', (data) => {
        const bytes = data as Buffer;
        member.size += bytes.length;
        hash.update(bytes);
        if (isSums && this.sumsBytes < MAX_SUMS_BYTES) {
          this.sums.push(Buffer.from(bytes));
          this.sumsBytes += bytes.length;
        }
      });
      body.on('end', () => {
        this.memberCount += 1;
        if (this.members.length < MAX_RECORDED_MEMBERS) this.members.push(member);
        if (this.hashes.size < MAX_HASHED_MEMBERS || this.hashes.has(member.name)) this.hashes.set(member.name, hash.digest('hex'));
        this.last = member;
        next();
      });
      body.resume();
    });
    this.tar.on('finish', () => {
      this.tarFinished = true;
      this.settle();
    });
  }

  /** Feeds snapshot bytes; `consumed` runs once zlib has taken them (backpressure for the caller). */
  write(bytes: Buffer, consumed: () => void): void {
    if (this.failure) return;
    this.plainSize += bytes.length;
    this.gunzip.write(bytes, () => consumed());
  }

  /** No more bytes: `done` gets the summary of a whole snapshot, or why it is not one. */
  end(done: (result: SnapshotSummary | CoreError) => void): void {
    if (this.failure) return done(this.failure);
    this.onEnd = done;
    if (this.plainSize === 0) return this.fail(invalidSnapshot('Vault returned an empty snapshot'));
    // gunzip stops at the gzip trailer; if it got there before our input ended, the tar reader
    // may already be done and no further event would come.
    this.gunzip.end(() => this.settle());
  }

  destroy(): void {
    this.gunzip.destroy();
    this.tar.destroy();
  }

  private settle(): void {
    const done = this.onEnd;
    if (done === undefined || this.failure || !this.tarFinished || !this.gunzip.writableFinished) return;
    this.onEnd = undefined;
    const verdict = this.verdict();
    if (verdict instanceof CoreError) this.fail(verdict);
    else done(verdict);
  }

  private fail(problem: CoreError): void {
    if (this.failure) return;
    this.failure = problem;
    this.destroy();
    const done = this.onEnd;
    this.onEnd = undefined;
    this.onProblem(problem);
    done?.(problem);
  }

  private verdict(): SnapshotSummary | CoreError {
    const last = this.last;
    if (last === undefined) return invalidSnapshot('the archive holds no files');
    if (last.name !== SEAL_MEMBER || last.size === 0) {
      const found = last.name === SEAL_MEMBER ? `an empty ${SEAL_MEMBER}` : JSON.stringify(last.name);
      return invalidSnapshot(`its last member is ${found}, expected a non-empty ${SEAL_MEMBER} (the snapshot is incomplete)`);
    }
    const checked = this.checkSums();
    if (checked instanceof CoreError) return checked;
    return {
      members: this.members,
      memberCount: this.memberCount,
      plainSize: this.plainSize,
      uncompressedSize: this.uncompressedSize,
      checkedMembers: checked,
    };
  }

  /** Every line of SHA256SUMS must name a member whose contents hash to it. */
  private checkSums(): string[] | CoreError {
    if (!this.hashes.has(SUMS_MEMBER)) return invalidSnapshot(`the archive has no ${SUMS_MEMBER}, so its contents cannot be checked`);
    if (this.sumsBytes >= MAX_SUMS_BYTES) return invalidSnapshot(`its ${SUMS_MEMBER} is larger than ${MAX_SUMS_BYTES} bytes, which no Vault writes`);
    const lines = Buffer.concat(this.sums).toString('utf8').split('\n').filter((line) => line !== '');
    if (lines.length === 0) return invalidSnapshot(`its ${SUMS_MEMBER} is empty`);
    const checked: string[] = [];
    for (const line of lines) {
      const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (match === null) return invalidSnapshot(`its ${SUMS_MEMBER} has a line that is not "<sha256>  <name>": ${JSON.stringify(line.slice(0, 80))}`);
      const [, expected, name] = match as unknown as [string, string, string];
      const actual = this.hashes.get(name);
      if (actual === undefined) return invalidSnapshot(`its ${SUMS_MEMBER} lists ${JSON.stringify(name)}, which the archive does not hold`);
      if (actual !== expected) {
        return invalidSnapshot(`the contents of ${JSON.stringify(name)} do not match ${SUMS_MEMBER} (sha256 ${actual.slice(0, 12)}…, listed ${expected.slice(0, 12)}…); the snapshot is corrupt`);
      }
      checked.push(name);
    }
    return checked;
  }
}

function gzipProblem(error: NodeJS.ErrnoException): CoreError {
  if (error.code === 'Z_BUF_ERROR') return invalidSnapshot('the gzip stream is truncated (the snapshot was cut short)', error);
  return invalidSnapshot(`the gzip data is corrupt (${error.message})`, error);
}

function tarProblem(error: Error): CoreError {
  if (/unexpected end of data/i.test(error.message)) return invalidSnapshot('the tar archive inside is truncated', error);
  return invalidSnapshot(`the gzip content is not a valid tar archive (${error.message})`, error);
}
