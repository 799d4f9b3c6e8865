/**
 * @module streams/gc-pacer
 * Keeps the garbage of a byte pipeline from piling up. HTTP, the ciphers, zlib and file reads hand
 * out a new Buffer per piece; V8 frees their memory only when it collects the tiny JS objects that
 * own it, and it decides to do that after about 64 MB of such memory has accumulated. Pieces that
 * wait in a stream's buffer across a young-generation collection are promoted and then wait for a
 * full one, so young collections alone do not help (measured: 1 GiB restore, peak RSS unchanged).
 * A full collection every 64 MiB of bytes piped — a few milliseconds for this process's small
 * heap, ~16 per GiB — held a 1 GiB restore's peak RSS from 137 to 115 MB without costing speed.
 *
 * `gc` is taken from a fresh context after setting V8's --expose-gc flag, which touches nothing
 * else; where that fails, the pacer does nothing and V8 collects when it wants.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;

/** Bytes piped (in this process, by every pipeline) between two full collections. */
export const GC_EVERY_BYTES = 64 * 1024 * 1024;

let gc: Gc | null | undefined;
let since = 0;

function exposeGc(): Gc | null {
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    return typeof fn === 'function' ? (fn as Gc) : null;
  } catch {
    return null;
  }
}

/** Counts `bytes` piped; collects garbage once GC_EVERY_BYTES have passed since the last time. */
export function pacedCollect(bytes: number): void {
  since += bytes;
  if (since < GC_EVERY_BYTES) return;
  since = 0;
  gc ??= exposeGc();
  gc?.({ type: 'major' });
}
