/**
 * @module snapshot-parse Restore side of raft snapshots: stream-parse a posted archive (gunzip →
 * tar-stream extract), hash members as they pass, verify the sealed sums against the node's
 * cluster key (unless forced) and SHA256SUMS, and recover the logical state from `state.bin`'s
 * first line. Never holds more than the state line. Error texts follow hashicorp/raft-snapshot's
 * `read`, so callers see what Vault would answer.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { STATE_FORMAT, sealSums } from './snapshot-build.js';
import type { LogicalState } from './state.js';

export interface ParsedSnapshot {
  state: LogicalState;
  meta: Record<string, unknown>;
}

/** The restore handler maps this one to Vault's 400 "different set of unseal keys" answer. */
export class SealedHashError extends Error {}

async function readCapped(source: unknown, cap: number, hash?: ReturnType<typeof createHash>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    hash?.update(chunk);
    n += chunk.length;
    if (n > cap) throw new Error(`read max specified bytes (${cap}) without EOF - possible truncation`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function mapStreamError(err: Error, sawEntry: boolean, bytesIn: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'Z_NEED_DICT') {
    if (bytesIn === 0) return new Error('failed to decompress snapshot: EOF');
    if (!sawEntry && /header/i.test(err.message)) return new Error('failed to decompress snapshot: gzip: invalid header');
    if (/unexpected end/i.test(err.message)) return new Error('failed reading snapshot: unexpected EOF');
    if (/check/i.test(err.message)) return new Error('failed reading snapshot: gzip: invalid checksum');
    return new Error(`failed reading snapshot: flate: corrupt input before offset ${bytesIn}`);
  }
  if (/Invalid tar header/i.test(err.message)) return new Error('failed reading snapshot: archive/tar: invalid tar header');
  if (/Unexpected end of data/i.test(err.message)) return new Error('failed reading snapshot: unexpected EOF');
  return err;
}

/**
 * Stream-parse and verify a snapshot body. Throws `SealedHashError` when the sealed sums do not
 * open under `clusterKey` (skipped with `force`), plain errors (→ 500) for corrupt archives.
 */
export async function parseSnapshot(input: Readable, opts: { clusterKey: string; force: boolean }): Promise<ParsedSnapshot> {
  const gunzip = createGunzip();
  const extract = tar.extract();
  let bytesIn = 0;
  let sawEntry = false;
  let streamErr: Error | undefined;
  const fail = (err: Error): void => {
    streamErr ??= err;
    extract.destroy(err);
  };
  input.on('data', (c: Buffer) => {
    bytesIn += c.length;
  });
  gunzip.on('error', fail);
  // A client that disconnects mid-upload must not leave the parser waiting for an end that never comes.
  input.on('close', () => {
    if (!input.readableEnded) fail(new Error('failed reading snapshot: unexpected EOF'));
  });
  input.on('error', (err: Error) => fail(err));
  input.pipe(gunzip).pipe(extract);

  const hashes = { 'meta.json': createHash('sha256'), 'state.bin': createHash('sha256') };
  let metaBuf: Buffer = Buffer.alloc(0);
  let stateLine: Buffer | undefined;
  let sums: Buffer | undefined;
  let sealed: Buffer | undefined;
  try {
    for await (const entry of extract) {
      sawEntry = true;
      const name = entry.header.name;
      switch (name) {
        case 'meta.json':
          metaBuf = await readCapped(entry, 1 << 20, hashes['meta.json']);
          break;
        case 'state.bin': {
          const head: Buffer[] = [];
          let headLen = 0;
          for await (const chunk of entry as unknown as AsyncIterable<Buffer>) {
            hashes['state.bin'].update(chunk);
            if (stateLine !== undefined) continue;
            const nl = chunk.indexOf(0x0a);
            if (nl === -1) {
              headLen += chunk.length;
              if (headLen > 256 * 1024 * 1024) throw new Error('error parsing snapshot state: state line too long');
              head.push(chunk);
            } else {
              head.push(chunk.subarray(0, nl));
              stateLine = Buffer.concat(head);
              head.length = 0;
            }
          }
          break;
        }
        case 'SHA256SUMS':
          sums = await readCapped(entry, 10_000);
          break;
        case 'SHA256SUMS.sealed':
          sealed = await readCapped(entry, 8192);
          break;
        default:
          entry.resume();
          throw new Error(`unexpected file "${name}" in snapshot`);
      }
    }
  } catch (err) {
    input.unpipe(gunzip);
    gunzip.destroy();
    throw mapStreamError(streamErr ?? (err as Error), sawEntry, bytesIn);
  }
  if (streamErr) throw mapStreamError(streamErr, sawEntry, bytesIn);

  if (!opts.force) {
    const expected = sums === undefined ? undefined : sealSums(opts.clusterKey, sums);
    if (sealed === undefined || expected === undefined || sealed.toString('utf8').trim() !== expected) {
      throw new SealedHashError('failed to open the sealed hashes: cipher: message authentication failed');
    }
  }
  verifySums(sums ?? Buffer.alloc(0), {
    'meta.json': hashes['meta.json'].digest('hex'),
    'state.bin': hashes['state.bin'].digest('hex'),
  });

  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(metaBuf.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`failed to decode snapshot metadata: ${(err as Error).message}`);
  }
  let parsed: { format?: unknown; state?: LogicalState };
  try {
    parsed = JSON.parse((stateLine ?? Buffer.alloc(0)).toString('utf8')) as typeof parsed;
  } catch {
    throw new Error('error parsing snapshot state: not a snapshot of this test server');
  }
  if (parsed.format !== STATE_FORMAT || !parsed.state) {
    throw new Error('error parsing snapshot state: not a snapshot of this test server');
  }
  return { state: parsed.state, meta };
}

/** hashList.DecodeAndVerify. */
function verifySums(sums: Buffer, actual: Record<string, string>): void {
  const seen = new Set<string>();
  for (const line of sums.toString('utf8').split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-fA-F]{64}) {2}(\S+)$/.exec(line);
    if (!m) throw new Error('failed checking integrity of snapshot: input does not match format');
    const [, sha = '', file = ''] = m;
    const have = actual[file];
    if (have === undefined) throw new Error(`failed checking integrity of snapshot: list missing hash for "${file}"`);
    if (have !== sha.toLowerCase()) throw new Error(`failed checking integrity of snapshot: hash check failed for "${file}"`);
    seen.add(file);
  }
  for (const file of Object.keys(actual)) {
    if (!seen.has(file)) throw new Error(`failed checking integrity of snapshot: file missing for "${file}"`);
  }
}

/** Let a caller wait for the end of a stream it gave away. */
export async function drained(stream: Readable): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return;
  stream.resume();
  await Promise.race([once(stream, 'end'), once(stream, 'close')]).catch(() => undefined);
}
