/**
 * @module crypto/vcbk1-format
 * The byte layout of vcbk1 (DESIGN §5), in one place for the encrypt and decrypt streams.
 * Other tools decode these bytes (scripts/decrypt-backup.mjs repeats this layout on purpose, so
 * it runs without the project): change nothing here without a new version byte.
 *
 *   header:  "VCBK" | 0x01 | key-id length (1) | key-id UTF-8 | chunk size (u32 BE) | nonce prefix (7)
 *   chunk i: AES-256-GCM(plaintext_i) | tag (16)      AAD = the whole header
 *   nonce_i: nonce prefix (7) | i (u32 BE) | 0x01 if last else 0x00
 */
import { CoreError, ErrorCode } from '../errors.js';
import { MAX_KEY_ID_BYTES } from './keyring.js';

export const MAGIC = Buffer.from('VCBK', 'latin1');
export const VERSION = 0x01;
export const TAG_BYTES = 16;
export const NONCE_PREFIX_BYTES = 7;
export const DEFAULT_CHUNK_SIZE = 65_536;
/**
 * Largest chunk size either side accepts. The decryptor holds one chunk in memory and takes the
 * size from the file, so a damaged header must not make it allocate gigabytes.
 */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** The chunk counter is a u32. */
export const MAX_CHUNKS = 0x1_0000_0000;
/** magic + version + key-id length: enough to know how long the header is. */
export const HEADER_PREFIX_BYTES = MAGIC.length + 2;

export interface Vcbk1Header {
  readonly keyId: string;
  readonly chunkSize: number;
  readonly noncePrefix: Buffer;
  /** The encoded header, which is also every chunk's AAD. */
  readonly bytes: Buffer;
}

export function encodeHeader(keyId: string, chunkSize: number, noncePrefix: Buffer): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  if (id.length < 1 || id.length > MAX_KEY_ID_BYTES) throw new RangeError(`vcbk1 key id must be 1-${MAX_KEY_ID_BYTES} bytes`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`vcbk1 chunk size must be an integer from 1 to ${MAX_CHUNK_SIZE}`);
  }
  if (noncePrefix.length !== NONCE_PREFIX_BYTES) throw new RangeError(`vcbk1 nonce prefix must be ${NONCE_PREFIX_BYTES} bytes`);
  const header = Buffer.alloc(HEADER_PREFIX_BYTES + id.length + 4 + NONCE_PREFIX_BYTES);
  let at = MAGIC.copy(header, 0);
  at = header.writeUInt8(VERSION, at);
  at = header.writeUInt8(id.length, at);
  at += id.copy(header, at);
  at = header.writeUInt32BE(chunkSize, at);
  noncePrefix.copy(header, at);
  return header;
}

/** Total header length, known once the first HEADER_PREFIX_BYTES are in (validates them too). */
export function headerLength(prefix: Buffer): number {
  if (!prefix.subarray(0, MAGIC.length).equals(MAGIC)) throw badHeader('it does not start with "VCBK"');
  const version = prefix[MAGIC.length] as number;
  if (version !== VERSION) throw badHeader(`format version ${version} is not supported (this tool reads version ${VERSION})`);
  const idLength = prefix[MAGIC.length + 1] as number;
  if (idLength === 0) throw badHeader('the key id is empty');
  return HEADER_PREFIX_BYTES + idLength + 4 + NONCE_PREFIX_BYTES;
}

/** Parses a complete header; `bytes` must be exactly `headerLength(bytes)` long. */
export function decodeHeader(bytes: Buffer): Vcbk1Header {
  const length = headerLength(bytes);
  if (bytes.length !== length) throw new RangeError('decodeHeader needs exactly the header bytes');
  const idEnd = HEADER_PREFIX_BYTES + (bytes[MAGIC.length + 1] as number);
  let keyId: string;
  try {
    keyId = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_PREFIX_BYTES, idEnd));
  } catch {
    throw badHeader('the key id is not valid UTF-8');
  }
  const chunkSize = bytes.readUInt32BE(idEnd);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw badHeader(`chunk size ${chunkSize} is outside 1-${MAX_CHUNK_SIZE}`);
  return { keyId, chunkSize, noncePrefix: bytes.subarray(idEnd + 4), bytes };
}

/** nonce_i = prefix | i (u32 BE) | last flag. */
export function chunkNonce(noncePrefix: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.allocUnsafe(NONCE_PREFIX_BYTES + 5);
  noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  nonce[NONCE_PREFIX_BYTES + 4] = last ? 0x01 : 0x00;
  return nonce;
}

function badHeader(reason: string): CoreError {
  return new CoreError(ErrorCode.DecryptFailed, `Backup cannot be decrypted: bad vcbk1 header, ${reason}.`);
}
