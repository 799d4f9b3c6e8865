/**
 * vcbk1 checked byte for byte against DESIGN §5 with nothing but `node:crypto`, as another
 * tool would: if these pass, a reader written from the spec alone decodes our files and we
 * decode its files.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { decrypt, encrypt, ring } from './helpers.js';

const key = { id: 'k1', key: Buffer.from(Array.from({ length: 32 }, (_, i) => i)) };
const prefix = Buffer.from([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6]);

function specHeader(keyId: string, chunkSize: number, noncePrefix: Buffer): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkSize);
  return Buffer.concat([Buffer.from('VCBK', 'ascii'), Buffer.from([0x01, id.length]), id, size, noncePrefix]);
}

function specNonce(noncePrefix: Buffer, index: number, last: boolean): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(index);
  return Buffer.concat([noncePrefix, counter, Buffer.from([last ? 0x01 : 0x00])]);
}

/** Writes vcbk1 straight from the spec; `emptyLast` ends N full chunks with an extra empty one. */
function specEncrypt(plain: Buffer, chunkSize: number, { emptyLast = false } = {}): Buffer {
  const header = specHeader(key.id, chunkSize, prefix);
  const chunks: Buffer[] = [];
  for (let at = 0; at < plain.length; at += chunkSize) chunks.push(plain.subarray(at, at + chunkSize));
  if (chunks.length === 0 || emptyLast) chunks.push(Buffer.alloc(0));
  const out = [header];
  chunks.forEach((chunk, i) => {
    const cipher = createCipheriv('aes-256-gcm', key.key, specNonce(prefix, i, i === chunks.length - 1));
    cipher.setAAD(header);
    out.push(cipher.update(chunk), cipher.final(), cipher.getAuthTag());
  });
  return Buffer.concat(out);
}

function openChunk(file: Buffer, header: Buffer, at: number, length: number, index: number, last: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key.key, specNonce(header.subarray(-7), index, last));
  decipher.setAAD(header);
  decipher.setAuthTag(file.subarray(at + length - 16, at + length));
  return Buffer.concat([decipher.update(file.subarray(at, at + length - 16)), decipher.final()]);
}

describe('vcbk1 byte layout', () => {
  it('writes the header exactly as the spec says', async () => {
    const file = await encrypt(Buffer.from('hello'), key, 4096);
    expect(file.subarray(0, 4).toString('latin1')).toBe('VCBK');
    expect(file[4]).toBe(0x01);
    expect(file[5]).toBe(2); // key-id length
    expect(file.subarray(6, 8).toString('utf8')).toBe('k1');
    expect(file.subarray(8, 12)).toEqual(Buffer.from([0x00, 0x00, 0x10, 0x00])); // 4096, big-endian
    expect(file.length).toBe(19 + 5 + 16); // header, one 5-byte chunk, its tag
  });

  it('can be decrypted chunk by chunk with plain createDecipheriv: nonce = prefix | i | last, AAD = header', async () => {
    const plain = randomBytes(2 * 100 + 37);
    const file = await encrypt(plain, { id: 'clé', key: key.key }, 100);
    const headerLength = 6 + Buffer.byteLength('clé') + 4 + 7;
    const header = file.subarray(0, headerLength);
    expect(header[5]).toBe(4); // UTF-8 bytes, not characters

    const c0 = openChunk(file, header, headerLength, 116, 0, false);
    const c1 = openChunk(file, header, headerLength + 116, 116, 1, false);
    const c2 = openChunk(file, header, headerLength + 232, 37 + 16, 2, true);
    expect(Buffer.concat([c0, c1, c2])).toEqual(plain);

    // The flag and the counter are really in the nonce: the wrong ones do not authenticate.
    expect(() => openChunk(file, header, headerLength, 116, 0, true)).toThrow();
    expect(() => openChunk(file, header, headerLength + 116, 116, 0, false)).toThrow();
    expect(() => openChunk(file, header, headerLength + 232, 53, 2, false)).toThrow();
  });

  it('flags a full final chunk as last', async () => {
    const file = await encrypt(randomBytes(200), key, 100);
    const header = file.subarray(0, 19);
    expect(openChunk(file, header, 19 + 116, 116, 1, true)).toHaveLength(100);
  });

  it('matches the pinned known-answer vector', async () => {
    // key 00..1f, id "k1", chunk size 4, nonce prefix a0..a6, plaintext "vault" → chunks "vaul", "t".
    const vector =
      '5643424b01026b3100000004a0a1a2a3a4a5a6' +
      '7cb069c5' + '96df58aa622782d09a9fb93a6fa98fc6' +
      '9d' + '11dfc842d865f7b7df52ccebb0d8f99d';
    expect(specEncrypt(Buffer.from('vault'), 4).toString('hex')).toBe(vector);
    expect((await decrypt(Buffer.from(vector, 'hex'), ring(key))).toString()).toBe('vault');
  });

  it('decrypts files written from the spec by another tool, in both ways of ending', async () => {
    const plain = randomBytes(3 * 64);
    expect(await decrypt(specEncrypt(plain, 64), ring(key))).toEqual(plain);
    expect(await decrypt(specEncrypt(plain, 64, { emptyLast: true }), ring(key))).toEqual(plain);
    expect(await decrypt(specEncrypt(Buffer.alloc(0), 64), ring(key))).toEqual(Buffer.alloc(0));
    expect(await decrypt(specEncrypt(plain.subarray(0, 150), 64), ring(key))).toEqual(plain.subarray(0, 150));
  });
});
