import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createLegacyDecryptStream, decryptLegacyFile, encryptLegacy } from '../../../src/core/crypto/legacy.js';
import { isCoreError } from '../../../src/core/errors.js';
import { flip, makeKey, ring, run } from './helpers.js';

/** What the widely copied backup script does: 16-byte IV, tag written before the ciphertext. */
function oldScriptEncrypt(plain: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), encrypted]);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'legacy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCoreError(error, 'decrypt_failed')) return error.message;
    throw error;
  }
  throw new Error('expected a decrypt_failed error');
}

describe('legacy backups', () => {
  const right = makeKey('current');
  const snapshot = randomBytes(300_000);

  it('writes IV | tag | ciphertext', () => {
    expect(encryptLegacy(Buffer.from('abc'), right.key)).toHaveLength(16 + 16 + 3);
  });

  it('decrypts a file from the old script with the right key among several', async () => {
    const input = join(dir, 'old.enc');
    const output = join(dir, 'old.snap');
    await writeFile(input, oldScriptEncrypt(snapshot, right.key));
    const result = await decryptLegacyFile(input, ring(makeKey('a'), right, makeKey('b')), output);
    expect(result.keyId).toBe('current');
    expect((await readFile(output)).equals(snapshot)).toBe(true);
    expect(await readdir(dir)).toEqual(['old.enc', 'old.snap']);
  });

  it('decrypts with a single-key keyring, and an empty snapshot', async () => {
    const input = join(dir, 'x.enc');
    await writeFile(input, encryptLegacy(Buffer.alloc(0), right.key));
    await decryptLegacyFile(input, ring(right), join(dir, 'x.snap'));
    expect(await readFile(join(dir, 'x.snap'))).toHaveLength(0);
  });

  it.each([1, 3])('fails with %i wrong key(s) and leaves no output file', async (count) => {
    const input = join(dir, 'old.enc');
    await writeFile(input, encryptLegacy(snapshot, right.key));
    const keys = Array.from({ length: count }, (_, i) => makeKey(`wrong${i}`));
    const message = await failure(decryptLegacyFile(input, ring(...keys), join(dir, 'out.snap')));
    expect(message).toMatch(/none of the keys in BACKUP_KEYS decrypts this legacy backup/);
    expect(await readdir(dir)).toEqual(['old.enc']);
  });

  it('fails on a tampered or truncated file and leaves no output file', async () => {
    const file = encryptLegacy(snapshot, right.key);
    flip(file, 1000, 0x40);
    await writeFile(join(dir, 'bad.enc'), file);
    await writeFile(join(dir, 'cut.enc'), file.subarray(0, 20));
    expect(await failure(decryptLegacyFile(join(dir, 'bad.enc'), ring(right), join(dir, 'out')))).toMatch(/none of the keys/);
    expect(await failure(decryptLegacyFile(join(dir, 'cut.enc'), ring(right, makeKey('x')), join(dir, 'out')))).toMatch(
      /the file is 20 bytes, shorter than its 32-byte IV and tag/,
    );
    expect((await readdir(dir)).sort()).toEqual(['bad.enc', 'cut.enc']);
  });

  it('streams plaintext but only fails at the very end, which is why callers use a temporary file', async () => {
    const file = encryptLegacy(snapshot, right.key);
    flip(file, 40, 0x01); // first ciphertext byte
    const { output, error } = await run(createLegacyDecryptStream(right.key), file);
    expect(isCoreError(error, 'decrypt_failed')).toBe(true);
    expect(output.length).toBe(snapshot.length); // all of it came out, unauthenticated
    const good = await run(createLegacyDecryptStream(right.key), encryptLegacy(snapshot, right.key));
    expect(good.error).toBeUndefined();
    expect(good.output.equals(snapshot)).toBe(true);
  });
});
