import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { keyringFromKeys } from '../../../src/core/crypto/keyring.js';
import { isCoreError } from '../../../src/core/errors.js';

const key = (bytes = 32) => randomBytes(bytes);

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isCoreError(error, 'config_invalid')) return error.message;
    throw error;
  }
  throw new Error('expected keyringFromKeys to fail');
}

// Parsing the BACKUP_KEYS text (base64, separators, echoing) is config's job and tested there.
describe('keyringFromKeys', () => {
  it('keeps the keys in order, the first one active by default', () => {
    const keys = [{ id: 'k1', key: key() }, { id: 'k2', key: key() }];
    const keyring = keyringFromKeys(keys);
    expect(keyring.active).toEqual(keys[0]);
    expect(keyring.get('k2')).toEqual(keys[1]);
    expect(keyring.get('k3')).toBeUndefined();
    expect(keyring.all().map((k) => k.id)).toEqual(['k1', 'k2']);
  });

  it('makes the named key active, so rotation keeps older backups readable', () => {
    const keyring = keyringFromKeys([{ id: 'k1', key: key() }, { id: 'k2', key: key() }], 'k2');
    expect(keyring.active.id).toBe('k2');
    expect(keyring.get('k1')).toBeDefined();
  });

  it('rejects a key that is not 32 bytes, naming the id but not the key', () => {
    const short = key(16);
    const message = problem(() => keyringFromKeys([{ id: 'k1', key: key() }, { id: 'k2', key: short }]));
    expect(message).toContain('key "k2" is 16 bytes, it must be exactly 32');
    expect(message).not.toContain(short.toString('base64'));
  });

  it('rejects duplicate ids, empty ids and an empty keyring', () => {
    expect(problem(() => keyringFromKeys([{ id: 'k1', key: key() }, { id: 'k1', key: key() }]))).toContain('names key "k1" twice');
    expect(problem(() => keyringFromKeys([{ id: '', key: key() }]))).toContain('entry 1 of BACKUP_KEYS has an empty key id');
    expect(problem(() => keyringFromKeys([]))).toContain('BACKUP_KEYS is empty');
  });

  it('rejects ids longer than 255 UTF-8 bytes (they must fit the one-byte length in vcbk1)', () => {
    expect(keyringFromKeys([{ id: 'a'.repeat(255), key: key() }]).active.id).toHaveLength(255);
    expect(problem(() => keyringFromKeys([{ id: 'é'.repeat(128), key: key() }]))).toContain('key id is 256 bytes, at most 255');
  });

  it('rejects an active id that is not in the keyring, listing the ids there are', () => {
    expect(problem(() => keyringFromKeys([{ id: 'k1', key: key() }, { id: 'k2', key: key() }], 'k9'))).toContain(
      'BACKUP_ACTIVE_KEY is "k9", which is not in BACKUP_KEYS (it has "k1", "k2")',
    );
  });
});
