/**
 * @module rotation/stored-key-id
 * The key a stored vcbk1 object is really encrypted with, read from its header (magic, version,
 * key id) — not from its metadata, which a crash between the object's and the sidecar's rename
 * can leave describing the other bytes. Reads only the first few dozen bytes.
 */
import type { Readable } from 'node:stream';
import { HEADER_PREFIX_BYTES, MAGIC, NONCE_PREFIX_BYTES, decodeHeader, headerLength } from '../crypto/vcbk1-format.js';
import type { BackupStore } from '../store/backup-store.js';

/** The header's key id, or undefined when the object does not start with a vcbk1 header. */
/** The longest possible vcbk1 header: prefix, a 255-byte key id, chunk size, nonce prefix. */
const MAX_HEADER_BYTES = HEADER_PREFIX_BYTES + 255 + 4 + NONCE_PREFIX_BYTES;

/** The header's key id, or undefined when the object does not start with a vcbk1 header. */
export async function storedKeyId(store: BackupStore, key: string): Promise<string | undefined> {
  const bytes = await readFirst(await store.get(key), MAX_HEADER_BYTES);
  if (bytes.length < HEADER_PREFIX_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  try {
    const length = headerLength(bytes.subarray(0, HEADER_PREFIX_BYTES));
    return bytes.length < length ? undefined : decodeHeader(bytes.subarray(0, length)).keyId;
  } catch {
    return undefined;
  }
}

/** Up to `n` bytes from the start of `stream`, which is then closed. */
async function readFirst(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of stream) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(b);
      have += b.length;
      if (have >= n) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}
