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
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import type { LogicalState } from './state.js';

/** Marker so a restore can tell our state line from arbitrary bytes. */
export const STATE_FORMAT = 'vault-test-server/state@1';

const FILLER_BLOCK = 1024 * 1024;
const STORED_MAX = 65_535;
const TAR_BLOCK = 512;
let fillerBlock: Buffer | undefined;

export interface SnapshotSource {
  state: LogicalState;
  /** Requested `state.bin` size; grows to fit the state line if smaller. */
  size: number;
  gzipLevel: number;
}

export function sealSums(clusterKey: string, sums: string | Buffer): string {
  return createHmac('sha256', clusterKey).update(sums).digest('hex');
}

/**
 * Rotations of one random block: zero-copy, and 1 MiB apart (far outside deflate's 32 KiB window),
 * so the archive is as incompressible as a real barrier-encrypted raft state.
 */
function fillerChunks(index: number, length: number): Buffer[] {
  fillerBlock ??= randomBytes(FILLER_BLOCK);
  const off = (index * 32_452_843) % FILLER_BLOCK;
  const first = fillerBlock.subarray(off, Math.min(FILLER_BLOCK, off + length));
  if (first.length >= length) return [first];
  return [first, fillerBlock.subarray(0, length - first.length)];
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

  const stateHash = createHash('sha256').update(stateLine);
  let remaining = size - stateLine.length;
  for (let i = 0; remaining > 0; i += 1) {
    const n = Math.min(remaining, FILLER_BLOCK);
    const parts: Buffer[] = [];
    for (const piece of fillerChunks(i, n)) {
      stateHash.update(piece);
      account(piece);
      for (let off = 0; off < piece.length; off += STORED_MAX) {
        const slice = piece.subarray(off, off + STORED_MAX);
        const head = Buffer.alloc(5); // BFINAL=0, BTYPE=00, then LEN / NLEN
        head.writeUInt16LE(slice.length, 1);
        head.writeUInt16LE(~slice.length & 0xffff, 3);
        parts.push(head, slice);
      }
    }
    remaining -= n;
    yield Buffer.concat(parts);
  }

  const sums = Buffer.from(
    `${createHash('sha256').update(meta).digest('hex')}  meta.json\n${stateHash.digest('hex')}  state.bin\n`,
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
