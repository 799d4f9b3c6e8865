/**
 * ROTATION_RULES and REKEY_* at start-up: a bad rules file stops the bot with a line naming the
 * file, the rule (number and pattern) and what is wrong; a good one decides which fields rotate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/index.js';
import { planFields } from '../../../src/core/rotation/plan.js';
import { looksLikeKeyShare } from '../../../src/core/rotation/share-shape.js';

const dir = mkdtempSync(join(tmpdir(), 'vc-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rulesFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problems(env: Record<string, string>): string[] {
  const loaded = loadConfig(env);
  return loaded.ok ? [] : loaded.problems;
}

describe('ROTATION_RULES', () => {
  it('names the file, the rule and the problem', () => {
    const file = rulesFile('bad.json', JSON.stringify({ rules: [{ path: 'secret/ok/*', fields: { a: 'password' } }, { path: 'secret/mail/*', fields: { smtp: 'pasword' } }] }));
    const [line, ...rest] = problems({ ROTATION_RULES: file });
    expect(rest).toEqual([]);
    expect(line).toContain(`ROTATION_RULES is invalid: file ${file}: rule 2 ("secret/mail/*"), field "smtp": kind must be one of password, api-key, ssh, dkim`);
  });

  it('reports a missing file, bad JSON, an unknown key and an empty rule in one clear line each', () => {
    expect(problems({ ROTATION_RULES: join(dir, 'nope.json') })[0]).toMatch(/ROTATION_RULES is invalid: file \S+nope\.json cannot be read \(ENOENT\)/);
    expect(problems({ ROTATION_RULES: rulesFile('notjson.json', '{rules: [') })[0]).toMatch(/notjson\.json is not valid JSON/);
    const many = problems({ ROTATION_RULES: rulesFile('many.json', JSON.stringify({ rules: [{ path: 'secret/x/', fields: {} }, { path: 'secret/y', fields: { k: 'ssh' }, extra: 1 }] })) })[0] ?? '';
    expect(many).toContain('rule 1 ("secret/x/"), path: path must not start or end with "/"');
    expect(many).toContain('rule 1 ("secret/x/"), fields: fields must name at least one field');
    expect(many).toContain('rule 2 ("secret/y")');
  });

  it('lets a matching rule choose the fields and where public halves go; other fields stay', () => {
    const file = rulesFile('good.json', JSON.stringify({ rules: [{ path: 'secret/mail/*', fields: { smtp: 'password', signing: { kind: 'dkim', public_field: 'dns' } } }] }));
    const loaded = loadConfig({ ROTATION_RULES: file });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const plan = planFields(loaded.config.rotation.rules, 'secret/mail/acme', ['smtp', 'signing', 'password', 'user']);
    expect(plan).toEqual({ rule: 'secret/mail/*', fields: [{ field: 'smtp', kind: 'password' }, { field: 'signing', kind: 'dkim', publicField: 'dns' }] });
    // No rule matches: the naming conventions apply.
    expect(planFields(loaded.config.rotation.rules, 'secret/app/x', ['db_password', 'api_key', 'note']).fields.map((f) => f.field)).toEqual(['db_password', 'api_key']);
  });
});

describe('REKEY_*', () => {
  it('defaults to 5 shares, threshold 3, and refuses settings Vault would refuse', () => {
    const loaded = loadConfig({});
    expect(loaded.ok && loaded.config.rotation.rekey).toEqual({ shares: 5, threshold: 3 });
    expect(problems({ REKEY_SHARES: '3', REKEY_THRESHOLD: '4' })[0]).toContain('REKEY_THRESHOLD is 4, more than REKEY_SHARES (3)');
    expect(problems({ REKEY_SHARES: '3', REKEY_THRESHOLD: '1' })[0]).toContain('REKEY_THRESHOLD is 1 with 3 shares');
    const key = rulesFile('a.asc', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBGZ0AAAB\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n');
    expect(problems({ REKEY_SHARES: '2', REKEY_THRESHOLD: '2', REKEY_PGP_KEYS: key })[0]).toContain('REKEY_PGP_KEYS lists 1 key file for 2 shares');
    const ok = loadConfig({ REKEY_SHARES: '2', REKEY_THRESHOLD: '2', REKEY_PGP_KEYS: `${key},${key}` });
    expect(ok.ok && ok.config.rotation.rekey.pgpKeys).toEqual(['mQINBGZ0AAAB', 'mQINBGZ0AAAB']);
  });
});

describe('looksLikeKeyShare', () => {
  it('spots hex and base64 shares of 32 or 33 bytes inside a message, and nothing else', () => {
    const share = 'a1'.repeat(33);
    expect(looksLikeKeyShare(`here: ${share}`)).toBe(true);
    expect(looksLikeKeyShare(Buffer.from(share, 'hex').toString('base64'))).toBe(true);
    expect(looksLikeKeyShare('`' + 'b2'.repeat(32) + '`')).toBe(true);
    expect(looksLikeKeyShare('the nonce is 1d2b0a9f-1e5a-49b5-8b01-c008e80254ca')).toBe(false);
    expect(looksLikeKeyShare('a1'.repeat(20))).toBe(false);
    expect(looksLikeKeyShare('done, thanks!')).toBe(false);
  });
});
