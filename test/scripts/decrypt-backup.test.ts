/**
 * The runbook script, run as an operator would: `node scripts/decrypt-backup.mjs …` in a
 * separate process, on files written by the bot's own encryptor and by the old legacy script.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { encryptLegacy } from '../../src/core/crypto/legacy.js';
import { encrypt, flip, makeKey } from '../core/crypto/helpers.js';

const SCRIPT = resolve('scripts/decrypt-backup.mjs');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function script(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'decrypt-script-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = makeKey('k1');
const b64 = key.key.toString('base64');
const snapshot = randomBytes(700_000);

function expectOneLineFailure(result: Result, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

describe('scripts/decrypt-backup.mjs', () => {
  it('decrypts a vcbk1 backup', async () => {
    await writeFile(join(dir, 'b.enc'), await encrypt(snapshot, key, 65536));
    const result = await script(['--key', b64, '--key-id', 'k1', join(dir, 'b.enc'), join(dir, 'b.snap')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote .*b\.snap \(vcbk1, authenticated\)/);
    expect((await readFile(join(dir, 'b.snap'))).equals(snapshot)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['b.enc', 'b.snap']);
  });

  it('decrypts a legacy backup with the key from BACKUP_KEY', async () => {
    await writeFile(join(dir, 'old.enc'), encryptLegacy(snapshot, key.key));
    const result = await script([join(dir, 'old.enc'), join(dir, 'old.snap')], { BACKUP_KEY: b64 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\(legacy, authenticated\)/);
    expect((await readFile(join(dir, 'old.snap'))).equals(snapshot)).toBe(true);
  });

  it('decrypts an empty backup and one with small chunks', async () => {
    await writeFile(join(dir, 'empty.enc'), await encrypt(Buffer.alloc(0), key));
    await writeFile(join(dir, 'small.enc'), await encrypt(snapshot, key, 1000));
    expect((await script(['--key', b64, join(dir, 'empty.enc'), join(dir, 'empty.snap')])).code).toBe(0);
    expect((await script(['--key', b64, join(dir, 'small.enc'), join(dir, 'small.snap')])).code).toBe(0);
    expect(await readFile(join(dir, 'empty.snap'))).toHaveLength(0);
    expect((await readFile(join(dir, 'small.snap'))).equals(snapshot)).toBe(true);
  });

  it('fails on a tampered vcbk1 backup and leaves no output file', async () => {
    const file = await encrypt(snapshot, key, 65536);
    flip(file, 19 + 2 * 65552 + 5, 0x01); // inside chunk 2; chunks 0 and 1 were already written
    await writeFile(join(dir, 'b.enc'), file);
    const result = await script(['--key', b64, join(dir, 'b.enc'), join(dir, 'b.snap')]);
    expectOneLineFailure(result, /^decrypt-backup: failed: bad tag at chunk 2/);
    expect(await readdir(dir)).toEqual(['b.enc']);
  });

  it('fails on a truncated vcbk1 backup and leaves no output file', async () => {
    const file = await encrypt(snapshot, key, 65536);
    await writeFile(join(dir, 'b.enc'), file.subarray(0, 19 + 3 * 65552));
    expectOneLineFailure(await script(['--key', b64, join(dir, 'b.enc'), join(dir, 'b.snap')]), /truncated/);
    expect(await readdir(dir)).toEqual(['b.enc']);
  });

  it('fails on a legacy backup with the wrong key and leaves no output file', async () => {
    await writeFile(join(dir, 'old.enc'), encryptLegacy(snapshot, key.key));
    const result = await script(['--key', randomBytes(32).toString('base64'), join(dir, 'old.enc'), join(dir, 'old.snap')]);
    expectOneLineFailure(result, /legacy tag does not match/);
    expect(await readdir(dir)).toEqual(['old.enc']);
  });

  it('says which key a vcbk1 backup needs when --key-id does not match', async () => {
    await writeFile(join(dir, 'b.enc'), await encrypt(snapshot, key));
    const result = await script(['--key', b64, '--key-id', 'k2', join(dir, 'b.enc'), join(dir, 'b.snap')]);
    expectOneLineFailure(result, /encrypted with key "k1", not "k2"/);
    expect(await readdir(dir)).toEqual(['b.enc']);
  });

  it('explains its usage and bad keys in one line', async () => {
    expectOneLineFailure(await script(['only-one-arg']), /usage: node decrypt-backup\.mjs/);
    expectOneLineFailure(await script(['a', 'b']), /no key given/);
    expectOneLineFailure(await script(['--key', 'c2hvcnQ=', 'a', 'b']), /base64 of 32 bytes, it decodes to 5 bytes/);
    expectOneLineFailure(await script(['--key', b64, join(dir, 'missing.enc'), join(dir, 'x')]), /ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('accepts a key pasted as its BACKUP_KEYS entry, id:base64, and checks the id', async () => {
    await writeFile(join(dir, 'b.enc'), await encrypt(snapshot, key));
    const ok = await script([join(dir, 'b.enc'), join(dir, 'b.snap')], { BACKUP_KEY: `k1:${b64}\n` });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect((await readFile(join(dir, 'b.snap'))).equals(snapshot)).toBe(true);
    const other = await script([join(dir, 'b.enc'), join(dir, 'c.snap')], { BACKUP_KEY: `k2:${b64}` });
    expectOneLineFailure(other, /encrypted with key "k1", not "k2"/);
    expect(other.stderr).not.toContain(b64);
  });

  it('says what a BACKUP_KEYS entry looks like when the paste is not a key', async () => {
    const result = await script(['a', 'b'], { BACKUP_KEY: 'k1' });
    expectOneLineFailure(result, /decodes to 1 byte \(a BACKUP_KEYS entry looks like <id>:<base64>; paste the base64 part\)/);
  });

  it('--help explains the arguments, the key forms and the exit codes', async () => {
    const result = await script(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^usage: node decrypt-backup\.mjs/m);
    expect(result.stdout).toContain('--key-id <id>   refuse a vcbk1 file encrypted under another key id');
    expect(result.stdout).toContain('Exit 0: written and authenticated. Exit 1:');
  });
});
