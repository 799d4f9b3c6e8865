/**
 * @module streams/young-gc
 * Keeps the garbage of a byte pipeline from piling up. zlib, HTTP and the ciphers hand out a new
 * Buffer per piece, and V8 collects Buffer memory only after ~64 MB of it has accumulated (the
 * objects themselves are tiny, so the young generation rarely fills). Per thread that is tens of
 * MB of peak RSS for nothing. A young-generation collection every few MiB (well under a
 * millisecond each) keeps it to a few MB.
 *
 * `gc` is taken from a fresh context after setting V8's --expose-gc flag, which touches nothing
 * else; where that fails, `youngGcEvery` returns a no-op and V8 collects when it wants.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;

let gc: Gc | null | undefined;

function exposeGc(): Gc | null {
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    return typeof fn === 'function' ? (fn as Gc) : null;
  } catch {
    return null;
  }
}

/** A counter to call with each piece's length; it runs a young-generation GC every `bytes`. */
export function youngGcEvery(bytes: number): (length: number) => void {
  gc ??= exposeGc();
  const collect = gc;
  if (collect === null) return () => undefined;
  let since = 0;
  return (length) => {
    since += length;
    if (since < bytes) return;
    since = 0;
    collect({ type: 'minor' });
  };
}
