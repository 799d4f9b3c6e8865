/**
 * @module config/keyring
 * Parses `BACKUP_KEYS` (`id1:base64,id2:base64`). Key material is never quoted in a problem; an id
 * is quoted only once it has passed the id rule, so a key pasted without its id is not echoed.
 */
import type { Checked } from './fields.js';
import type { BackupKey } from './types.js';

export const KEY_BYTES = 32;
const ID = /^[A-Za-z0-9._-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_EXPECTED = `${KEY_BYTES} bytes (base64 of ${KEY_BYTES} random bytes: openssl rand -base64 ${KEY_BYTES})`;

export function parseKeyring(value: string): Checked<BackupKey[]> {
  const keys: BackupKey[] = [];
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    if (colon < 0) return { ok: false, wrong: `entry ${index + 1} has no id`, expected: 'id:base64 entries separated by commas' };
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (!ID.test(id)) {
      return { ok: false, wrong: `entry ${index + 1} has an invalid id`, expected: 'ids of 1 to 32 letters, digits, dots, dashes or underscores' };
    }
    if (keys.some((k) => k.id === id)) return { ok: false, wrong: `lists key id "${id}" twice`, expected: 'unique key ids' };
    if (!BASE64.test(material)) return { ok: false, wrong: `key "${id}" is not base64`, expected: KEY_EXPECTED };
    const key = Buffer.from(material, 'base64');
    if (key.length !== KEY_BYTES) return { ok: false, wrong: `key "${id}" is ${key.length} bytes`, expected: KEY_EXPECTED };
    keys.push({ id, key });
  }
  if (keys.length === 0) return { ok: false, wrong: 'holds no keys', expected: 'at least one id:base64 entry' };
  return { ok: true, value: keys };
}

/** Just the ids, for rules that only need to know which keys exist; undefined when the keyring is invalid. */
export function keyringIds(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parsed = parseKeyring(value);
  return parsed.ok ? parsed.value.map((k) => k.id) : undefined;
}
