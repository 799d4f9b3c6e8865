/**
 * @module rotation/config-fields
 * The rotation variables' checkers for the config schema: `ROTATION_RULES` (a JSON file read and
 * validated at start-up, every problem naming the file, the rule and what is wrong) and
 * `REKEY_PGP_KEYS` (comma-separated public-key files, sent to Vault base64-encoded).
 */
import { readFileSync } from 'node:fs';
import type { Checked } from '../config/fields.js';
import { loadRotationRules, type RotationRules } from './rules.js';

const SHOWN_PROBLEMS = 3;

export function rotationRulesFile(value: string): Checked<RotationRules> {
  const loaded = loadRotationRules(value);
  if (loaded.ok) return { ok: true, value: loaded.rules };
  const shown = loaded.problems.slice(0, SHOWN_PROBLEMS).map((p) => p.replace(/^ROTATION_RULES /, ''));
  const more = loaded.problems.length > SHOWN_PROBLEMS ? ` (and ${loaded.problems.length - SHOWN_PROBLEMS} more)` : '';
  return { ok: false, wrong: `is invalid: ${shown.join(' | ')}${more}`, expected: 'a JSON file {"rules": [{"path": "secret/mail/*", "fields": {"smtp_password": "password"}}]}' };
}

/** Each file as Vault's `pgp_keys` wants it: base64 of the binary key (an armored key's body as is). */
export function pgpKeyFiles(value: string): Checked<string[]> {
  const keys: string[] = [];
  for (const [index, raw] of value.split(',').entries()) {
    const file = raw.trim();
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return { ok: false, wrong: `entry ${index + 1} ("${file}") cannot be read (${code})`, expected: 'comma-separated paths of readable PGP public-key files, one per new key share' };
    }
    const text = bytes.toString('latin1');
    if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
      const body = text
        .split(/\r?\n/)
        .filter((line) => line !== '' && !line.startsWith('-----') && !line.startsWith('=') && !/^[A-Za-z-]+: /.test(line))
        .join('');
      keys.push(body);
    } else if (/^[A-Za-z0-9+/=\s]+$/.test(text)) {
      keys.push(text.replace(/\s+/g, ''));
    } else {
      keys.push(bytes.toString('base64'));
    }
  }
  return { ok: true, value: keys };
}
