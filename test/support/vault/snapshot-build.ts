/**
 * @module snapshot-build Save side of raft snapshots, generated on the fly. Layout as hashicorp/raft's
 * snapshot archive: gzip'd tar of `meta.json`, `state.bin`, `SHA256SUMS` ("%x  %s\n" lines) and last
 * `SHA256SUMS.sealed` (here hex HMAC-SHA256 of SHA256SUMS under the cluster key, standing in for
 * the seal's encryption). `state.bin` = one JSON line with the logical state, then random filler.
 *
 * The gzip member is framed by hand: the tar bytes before and after the filler are deflated by
 * zlib at `gzipLevel`, the filler goes out as stored deflate blocks. Random filler cannot be
 * compressed anyway, and deflating it costs ~40 s/GiB at level 1; stored blocks cost nothing, so a
 * 1 GiB snapshot streams in seconds with a 1 MiB block of memory. It is still one ordinary,
 * single-member gzip stream.
 *
 * The filler block is framed once, and every 1 MiB of filler is a rotation of it by whole stored
 * blocks, sent as two views of that framing: no copy per snapshot. Framing each MiB afresh
 * (Buffer.concat into new memory) cost this process 1.3 s of page faults and copying per GiB, on
 * the same two cores as the benchmarked pipeline it stands in a remote Vault for.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { crc32Combine } from './crc32-combine.js';
import type { LogicalState } from './state.js';

/** Marker so a restore can tell our state line from arbitrary bytes. */
export const STATE_FORMAT = 'vault-test-server/state@1';

const STORED_MAX = 65_535;
/** Sixteen full stored blocks, so a rotation by whole blocks is a rotation of the framed bytes too. */
const STORED_BLOCKS_PER_FILLER = 16;
const FILLER_BLOCK = STORED_BLOCKS_PER_FILLER * STORED_MAX;
const STORED_HEAD = 5;
const TAR_BLOCK = 512;

interface Filler {
  plain: Buffer;
  /** `plain` as stored deflate blocks: per STORED_MAX bytes, a 5-byte head then the bytes. */
  framed: Buffer;
}
let filler: Filler | undefined;
/**
 * What the last snapshot's filler hashed to. A bot backing up an unchanged node gets the same
 * state.bin again (same state line, same filler), and running a GiB of it through SHA-256 and
 * CRC-32 again cost this process 0.85 s on the cores the benchmarked pipeline shares.
 */
let lastState: { line: string; size: number; sha256: string; fillerBytes: number; fillerCrc: number } | undefined;

export interface SnapshotSource {
  state: LogicalState;
  /** Requested `state.bin` size; grows to fit the state line if smaller. */
  size: number;
  gzipLevel: number;
}

export function sealSums(clusterKey: string, sums: string | Buffer): string {
  return createHmac('sha256', clusterKey).update(sums).digest('hex');
}

/** `bytes` as non-final stored deflate blocks. */
function storedBlocks(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off < bytes.length; off += STORED_MAX) {
    const slice = bytes.subarray(off, off + STORED_MAX);
    const head = Buffer.alloc(STORED_HEAD); // BFINAL=0, BTYPE=00, then LEN / NLEN
    head.writeUInt16LE(slice.length, 1);
    head.writeUInt16LE(~slice.length & 0xffff, 3);
    parts.push(head, slice);
  }
  return Buffer.concat(parts);
}

/**
 * Piece `index` of the filler, `length` ≤ FILLER_BLOCK bytes: the random block rotated by a whole
 * number of stored blocks (consecutive MiBs differ; all are far outside deflate's 32 KiB window,
 * so the archive is as incompressible as a real barrier-encrypted raft state). A full piece is
 * two views of the block and its framing; only a short last piece is framed here.
 */
function fillerPiece(index: number, length: number): { plain: Buffer[]; framed: Buffer[] } {
  if (!filler) {
    const plain = randomBytes(FILLER_BLOCK);
    filler = { plain, framed: storedBlocks(plain) };
  }
  const blocks = (index * 7) % STORED_BLOCKS_PER_FILLER;
  const at = blocks * STORED_MAX;
  const plain = [filler.plain.subarray(at), filler.plain.subarray(0, at)].filter((b) => b.length > 0);
  if (length === FILLER_BLOCK) {
    const framedAt = blocks * (STORED_HEAD + STORED_MAX);
    return { plain, framed: [filler.framed.subarray(framedAt), filler.framed.subarray(0, framedAt)].filter((b) => b.length > 0) };
  }
  const short = Buffer.concat(plain).subarray(0, length);
  return { plain: [short], framed: [storedBlocks(short)] };
}

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'latin1');
}

/** A ustar header; sizes past 8 GiB use the GNU base-256 form. */
function tarHeader(name: string, size: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(TAR_BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, 0o600);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  if (size <= 0o77777777777) octal(h, 124, 12, size);
  else {
    h[124] = 0x80;
    h.writeBigUInt64BE(BigInt(size), 128);
  }
  octal(h, 136, 12, mtimeSec);
  h.write('        ', 148, 8, 'latin1');
  h.write('0', 156, 1, 'latin1');
  h.write('ustar\0', 257, 6, 'latin1');
  h.write('00', 263, 2, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return h;
}

function tarPad(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : TAR_BLOCK - rest);
}

function gzipHeader(level: number): Buffer {
  // As Go's compress/gzip writes it: no mtime, XFL by level, OS "unknown".
  const xfl = level === 9 ? 2 : level === 1 ? 4 : 0;
  return Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, xfl, 0xff]);
}

async function* snapshotChunks(src: SnapshotSource): AsyncGenerator<Buffer> {
  const { state } = src;
  const level = src.gzipLevel;
  const stateLine = Buffer.from(`${JSON.stringify({ format: STATE_FORMAT, state })}\n`);
  const size = Math.max(src.size, stateLine.length);
  const now = Date.now();
  const mtime = Math.floor(now / 1000);
  const meta = Buffer.from(
    JSON.stringify({
      Version: 1,
      ID: `${state.raftTerm}-${state.raftIndex}-${now}`,
      Index: state.raftIndex,
      Term: state.raftTerm,
      Peers: Buffer.from('["127.0.0.1:8201"]').toString('base64'),
      Configuration: { Servers: [{ Suffrage: 0, ID: 'node1', Address: '127.0.0.1:8201' }] },
      ConfigurationIndex: 1,
      Size: size,
    }),
  );

  let crc = 0;
  let total = 0;
  const account = (b: Buffer): void => {
    crc = crc32(b, crc);
    total += b.length;
  };

  yield gzipHeader(level);
  const prefix = Buffer.concat([
    tarHeader('meta.json', meta.length, mtime),
    meta,
    tarPad(meta.length),
    tarHeader('state.bin', size, mtime),
    stateLine,
  ]);
  account(prefix);
  // Sync flush leaves the deflate stream byte-aligned and open, so stored blocks can follow.
  yield deflateRawSync(prefix, { level, finishFlush: zlibConstants.Z_SYNC_FLUSH });

  const fillerBytes = size - stateLine.length;
  const line = stateLine.toString('utf8');
  const knownSha256 = lastState?.line === line && lastState.size === size ? lastState.sha256 : undefined;
  const knownCrc = lastState?.fillerBytes === fillerBytes ? lastState.fillerCrc : undefined;
  const stateHash = knownSha256 === undefined ? createHash('sha256').update(stateLine) : undefined;
  let fillerCrc = 0;
  let remaining = fillerBytes;
  for (let i = 0; remaining > 0; i += 1) {
    const n = Math.min(remaining, FILLER_BLOCK);
    const piece = fillerPiece(i, n);
    for (const bytes of piece.plain) {
      stateHash?.update(bytes);
      if (knownCrc === undefined) fillerCrc = crc32(bytes, fillerCrc);
    }
    remaining -= n;
    yield* piece.framed;
  }
  const stateSha256 = knownSha256 ?? stateHash!.digest('hex');
  fillerCrc = knownCrc ?? fillerCrc;
  lastState = { line, size, sha256: stateSha256, fillerBytes, fillerCrc };
  crc = crc32Combine(crc, fillerCrc, fillerBytes);
  total += fillerBytes;

  const sums = Buffer.from(
    `${createHash('sha256').update(meta).digest('hex')}  meta.json\n${stateSha256}  state.bin\n`,
  );
  const sealed = Buffer.from(sealSums(state.barrier.clusterKey, sums));
  const suffix = Buffer.concat([
    tarPad(size),
    tarHeader('SHA256SUMS', sums.length, mtime),
    sums,
    tarPad(sums.length),
    tarHeader('SHA256SUMS.sealed', sealed.length, mtime),
    sealed,
    tarPad(sealed.length),
    Buffer.alloc(2 * TAR_BLOCK),
  ]);
  account(suffix);
  yield deflateRawSync(suffix, { level });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(total % 2 ** 32, 4);
  yield trailer;
}

/** A readable stream of a fresh snapshot (gzip bytes); destroying it stops the generator. */
export function createSnapshotStream(src: SnapshotSource): Readable {
  // Copy now: the archive must reflect the state at request time, not whatever it becomes later.
  const frozen: SnapshotSource = { ...src, state: structuredClone(src.state) };
  return Readable.from(snapshotChunks(frozen), { objectMode: false, highWaterMark: 1 });
}

export async function snapshotToBuffer(src: SnapshotSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createSnapshotStream(src)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
