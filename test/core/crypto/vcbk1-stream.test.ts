import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { createDecryptStream, detectFormat } from '../../../src/core/crypto/decrypt-stream.js';
import { isCoreError } from '../../../src/core/errors.js';
import { decrypt, encrypt, flip, makeKey, ring, run } from './helpers.js';

const k1 = makeKey('k1');
const headerLength = (id: string) => 4 + 1 + 1 + Buffer.byteLength(id) + 4 + 7;

async function decryptError(encrypted: Buffer, keyring = ring(k1)): Promise<{ code: string; message: string; output: Buffer }> {
  const { output, error } = await run(createDecryptStream(keyring), encrypted);
  if (!isCoreError(error)) throw new Error(`expected a CoreError, got ${String(error)}`);
  return { code: error.code, message: error.message, output };
}

describe('vcbk1 round trip', () => {
  const cs = 4096;
  it.each([
    ['0 bytes', 0],
    ['1 byte', 1],
    ['chunkSize - 1', cs - 1],
    ['chunkSize', cs],
    ['chunkSize + 1', cs + 1],
    ['3 × chunkSize', 3 * cs],
  ])('decrypts %s to exactly the input', async (_label, size) => {
    const plain = randomBytes(size);
    const encrypted = await encrypt(plain, k1, cs);
    expect(await decrypt(encrypted, ring(k1))).toEqual(plain);
  });

  it('decrypts several MiB written with a small chunk size', async () => {
    const plain = randomBytes(5 * 1024 * 1024 + 77);
    const encrypted = await encrypt(plain, k1, 1000);
    expect((await decrypt(encrypted, ring(k1))).equals(plain)).toBe(true);
  });

  it('uses 64 KiB chunks by default', async () => {
    const encrypted = await encrypt(randomBytes(10), k1);
    expect(encrypted.readUInt32BE(headerLength('k1') - 11)).toBe(65536);
  });

  it('ends an input of exactly N chunks with a full chunk flagged last, not an extra empty chunk', async () => {
    const plain = randomBytes(3 * cs);
    const encrypted = await encrypt(plain, k1, cs);
    expect(encrypted.length).toBe(headerLength('k1') + 3 * (cs + 16));
    // An empty input is the one case with an empty chunk: header plus a lone tag.
    expect((await encrypt(Buffer.alloc(0), k1, cs)).length).toBe(headerLength('k1') + 16);
  });

  it('uses a fresh nonce prefix for every file', async () => {
    const plain = Buffer.from('same snapshot');
    const [a, b] = [await encrypt(plain, k1), await encrypt(plain, k1)];
    expect(a.equals(b)).toBe(false);
  });

  it('decrypts files of a retired key after rotation', async () => {
    const k2 = makeKey('k2');
    const old = await encrypt(Buffer.from('written under k1'), k1);
    const rotated = ring(k2, k1);
    expect(rotated.active.id).toBe('k2');
    expect((await decrypt(old, rotated)).toString()).toBe('written under k1');
  });
});

describe('vcbk1 failures', () => {
  const cs = 1024;
  const plain = randomBytes(3 * cs + 100); // chunks 0, 1, 2 full; chunk 3 holds 100 bytes
  const record = cs + 16;
  const h = headerLength('k1');
  const encrypted = () => encrypt(plain, k1, cs);

  it('names the chunk whose tag fails when one byte is flipped', async () => {
    const file = await encrypted();
    flip(file, h + record + 10, 0x01); // inside chunk 1
    const { code, message, output } = await decryptError(file);
    expect(code).toBe('decrypt_failed');
    expect(message).toContain('bad tag at chunk 1');
    // Only authenticated plaintext came out: chunk 0, nothing of chunk 1.
    expect(output).toEqual(plain.subarray(0, cs));
  });

  it('fails at chunk 0 when the header (the AAD) was changed', async () => {
    const file = await encrypted();
    flip(file, h - 1, 0x01); // last byte of the nonce prefix
    expect((await decryptError(file)).message).toContain('bad tag at chunk 0');
  });

  it('says the file is truncated when it was cut at a chunk boundary', async () => {
    const file = await encrypted();
    const { code, message } = await decryptError(file.subarray(0, h + 2 * record));
    expect(code).toBe('decrypt_failed');
    expect(message).toMatch(/truncated \(it ends after chunk 1, which is not flagged last\)/);
  });

  it('says the file is truncated when it was cut inside a chunk or the header', async () => {
    const file = await encrypted();
    expect((await decryptError(file.subarray(0, file.length - 30))).message).toMatch(/bad tag at chunk 3, the final chunk \(the file is truncated/);
    expect((await decryptError(file.subarray(0, h + record + 5))).message).toMatch(/truncated \(chunk 1 is 5 bytes/);
    expect((await decryptError(file.subarray(0, h - 3))).message).toMatch(/truncated \(it ends inside the header\)/);
    expect((await decryptError(Buffer.alloc(0))).message).toMatch(/the file is empty/);
  });

  it('detects bytes appended after the last chunk', async () => {
    const file = await encrypted();
    const appended = (extra: Buffer) => decryptError(Buffer.concat([file, extra]));
    expect((await appended(Buffer.from('\n'))).message).toMatch(/there are trailing bytes after the last chunk \(chunk 3 is followed by 1 byte\)/);
    expect((await appended(randomBytes(500))).message).toMatch(/trailing bytes after the last chunk \(chunk 3 is followed by/);
    // A second backup concatenated onto the first.
    expect((await appended(await encrypted())).message).toMatch(/trailing bytes after the last chunk \(chunk 3 is followed by/);
  });

  it('detects bytes appended after a full last chunk', async () => {
    const file = await encrypt(randomBytes(2 * cs), k1, cs);
    const { message } = await decryptError(Buffer.concat([file, randomBytes(3 * record)]));
    expect(message).toMatch(/trailing bytes after the last chunk \(chunk 1 is flagged last but more data follows/);
  });

  it('detects reordered and missing chunks', async () => {
    const file = await encrypted();
    const chunk = (i: number) => file.subarray(h + i * record, h + (i + 1) * record);
    const header = file.subarray(0, h);
    const tail = file.subarray(h + 3 * record);
    const swapped = Buffer.concat([header, chunk(1), chunk(0), chunk(2), tail]);
    expect((await decryptError(swapped)).message).toContain('bad tag at chunk 0');
    const missing = Buffer.concat([header, chunk(0), chunk(2), tail]);
    expect((await decryptError(missing)).message).toContain('bad tag at chunk 1');
  });

  it('refuses a key id that is not in the keyring, naming it', async () => {
    const file = await encrypt(Buffer.from('x'), makeKey('k2'));
    const { code, message } = await decryptError(file, ring(k1));
    expect(code).toBe('key_unknown');
    expect(message).toBe('backup was encrypted with key "k2", which is not in BACKUP_KEYS');
  });

  it('says which key does not fit when the id matches but the key bytes differ', async () => {
    const file = await encrypted();
    const { message } = await decryptError(file, ring(makeKey('k1')));
    expect(message).toMatch(/bad tag at chunk 0 \(the key "k1" in BACKUP_KEYS is not the key this backup was encrypted with/);
  });

  it('rejects a bad magic and an unknown version', async () => {
    const file = await encrypted();
    const v2 = Buffer.from(file);
    v2[4] = 2;
    expect((await decryptError(v2)).message).toMatch(/bad vcbk1 header, format version 2 is not supported/);
    const notVcbk = Buffer.from(file);
    notVcbk[0] = 0x58;
    expect((await decryptError(notVcbk)).message).toMatch(/bad vcbk1 header, it does not start with "VCBK"/);
  });

  it('never puts key bytes into its messages', async () => {
    const file = await encrypted();
    flip(file, h + 3, 0xff);
    const { message } = await decryptError(file);
    expect(message).not.toContain(k1.key.toString('base64'));
    expect(message).not.toContain(k1.key.toString('hex'));
  });
});

describe('detectFormat', () => {
  it('reads VCBK as vcbk1 and anything else as legacy', async () => {
    expect(detectFormat(await encrypt(Buffer.from('x'), k1))).toBe('vcbk1');
    expect(detectFormat(Buffer.from('VCBK'))).toBe('vcbk1');
    expect(detectFormat(randomBytes(16).fill(0, 0, 1))).toBe('legacy');
    expect(detectFormat(Buffer.from('VCB'))).toBe('legacy');
    expect(detectFormat(Buffer.alloc(0))).toBe('legacy');
  });
});
