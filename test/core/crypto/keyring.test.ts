import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { keyringFromKeys, parseKeyring } from '../../../src/core/crypto/keyring.js';
import { isCoreError } from '../../../src/core/errors.js';

const b64 = (bytes = 32) => randomBytes(bytes).toString('base64');

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isCoreError(error, 'config_invalid')) return error.message;
    throw error;
  }
  throw new Error('expected parseKeyring to fail');
}

describe('parseKeyring', () => {
  it('reads id:base64 pairs in order, the first one active by default', () => {
    const [a, b] = [b64(), b64()];
    const keyring = parseKeyring(` k1:${a} , k2:${b}`);
    expect(keyring.active.id).toBe('k1');
    expect(keyring.active.key).toEqual(Buffer.from(a, 'base64'));
    expect(keyring.get('k2')?.key).toEqual(Buffer.from(b, 'base64'));
    expect(keyring.get('k3')).toBeUndefined();
    expect(keyring.all().map((k) => k.id)).toEqual(['k1', 'k2']);
  });

  it('makes the named key active', () => {
    expect(parseKeyring(`k1:${b64()},k2:${b64()}`, 'k2').active.id).toBe('k2');
  });

  it('accepts UTF-8 ids and ids containing a colon', () => {
    const keyring = parseKeyring(`prod:2025:${b64()},clé:${b64()}`);
    expect(keyring.all().map((k) => k.id)).toEqual(['prod:2025', 'clé']);
  });

  it('rejects a key that is not 32 bytes, naming the id but not the key', () => {
    const short = b64(16);
    const message = problem(() => parseKeyring(`k1:${b64()},k2:${short}`));
    expect(message).toContain('key "k2" is 16 bytes, it must be exactly 32');
    expect(message).not.toContain(short);
  });

  it('does not echo an entry that lacks its id', () => {
    const key = b64();
    const message = problem(() => parseKeyring(`k1:${b64()},${key}`));
    expect(message).toContain("entry 2 of BACKUP_KEYS has no ':'");
    expect(message).not.toContain(key);
  });

  it('rejects non-base64, duplicate ids, empty ids, empty entries and an empty spec', () => {
    expect(problem(() => parseKeyring('k1:not*base64'))).toContain('key "k1" is not valid base64');
    expect(problem(() => parseKeyring(`k1:${b64()},k1:${b64()}`))).toContain('names key "k1" twice');
    expect(problem(() => parseKeyring(`:${b64()}`))).toContain('entry 1 of BACKUP_KEYS has an empty key id');
    expect(problem(() => parseKeyring(`k1:${b64()},,k2:${b64()}`))).toContain('entry 2 of BACKUP_KEYS is empty');
    expect(problem(() => parseKeyring('  '))).toContain('BACKUP_KEYS is empty');
  });

  it('rejects ids longer than 255 UTF-8 bytes (they must fit the one-byte length in vcbk1)', () => {
    expect(parseKeyring(`${'a'.repeat(255)}:${b64()}`).active.id).toHaveLength(255);
    expect(problem(() => parseKeyring(`${'é'.repeat(128)}:${b64()}`))).toContain('key id is 256 bytes, at most 255');
  });

  it('rejects an active id that is not in the keyring, listing the ids there are', () => {
    expect(problem(() => parseKeyring(`k1:${b64()},k2:${b64()}`, 'k9'))).toContain(
      'BACKUP_ACTIVE_KEY is "k9", which is not in BACKUP_KEYS (it has "k1", "k2")',
    );
  });
});

describe('keyringFromKeys', () => {
  it('builds the same keyring from keys config already parsed', () => {
    const keys = [{ id: 'a', key: randomBytes(32) }, { id: 'b', key: randomBytes(32) }];
    const keyring = keyringFromKeys(keys, 'b');
    expect(keyring.active).toEqual(keys[1]);
    expect(keyring.get('a')).toEqual(keys[0]);
    expect(problem(() => keyringFromKeys([{ id: 'a', key: randomBytes(31) }]))).toContain('key "a" is 31 bytes');
  });
});
