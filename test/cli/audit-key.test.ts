/**
 * Starting to use AUDIT_KEY on an existing log: the unkeyed warning is shown once per database,
 * `audit adopt-key` records the key change in the chain, and `audit verify` reads it as a change,
 * not as tampering — while an edit on either side of the change is still caught.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { keyFingerprint } from '../../src/core/audit/key-epochs.js';
import { openDatabase } from '../../src/core/db/open-database.js';
import { runCli } from './run-cli.js';

const dirs: string[] = [];
const OLD = 'old-audit-key-0123456789';
const NEW = 'new-audit-key-9876543210';

function seeded(key?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vc-akey-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  const audit = new AuditLog(db, key === undefined ? {} : { key });
  for (const event of ['backup.succeeded', 'restore.requested', 'retention.deleted']) audit.append({ actor: 'system', event, details: { n: 1 } });
  db.close();
  return dir;
}

function appendWith(dir: string, key: string, event: string): void {
  const db = openDatabase(dir);
  new AuditLog(db, { key }).append({ actor: 'U0ANA', event });
  db.close();
}

function tamper(dir: string, id: number): void {
  const raw = new BetterSqlite3(join(dir, 'vault-chatops.db'));
  raw.exec(`DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = ${id};`);
  raw.close();
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the unkeyed warning', () => {
  it('is shown once per database, not on every call', async () => {
    const a = seeded();
    const first = await runCli(['audit', 'tail', '1'], { DATA_DIR: a });
    expect(first.errLines).toHaveLength(1);
    expect(first.errLines[0]).toMatch(/^vault-chatops: warning: AUDIT_KEY is not set.*run "vault-chatops audit adopt-key" \(shown once per database\)$/);
    const again = await runCli(['audit', 'verify'], { DATA_DIR: a });
    expect(again.stderr).toBe('');
    const other = await runCli(['audit', 'tail', '1'], { DATA_DIR: seeded() });
    expect(other.errLines).toHaveLength(1);
  });
});

describe('audit adopt-key', () => {
  it('starts a key on an unkeyed log; verify lists the change and still catches edits', async () => {
    const dir = seeded();
    mkdirSync(join(dir, 's'));
    const reading = await runCli(['backup', 'list'], { DATA_DIR: dir, AUDIT_KEY: NEW, BACKUP_KEYS: `k:${Buffer.alloc(32).toString('base64')}`, BACKUP_STORE: join(dir, 's') });
    expect(reading.code).toBe(0); // reading needs no key change

    const adopt = await runCli(['audit', 'adopt-key'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(adopt.errLines).toEqual([]);
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toBe(`audit log now uses AUDIT_KEY ${keyFingerprint(Buffer.from(NEW))}: row 4 records the change from unkeyed; use this AUDIT_KEY for the bot and the CLI from now on\n`);

    appendWith(dir, NEW, 'backup.succeeded');
    const verify = await runCli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`key change at row 4: unkeyed → ${keyFingerprint(Buffer.from(NEW))} (recorded with audit adopt-key)\n`);
    expect(verify.stdout).toMatch(/audit chain intact: 5 rows, head 5:/);

    const again = await runCli(['audit', 'adopt-key'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(again.code).toBe(1);
    expect(again.errLines).toEqual([`vault-chatops: The audit log already uses this AUDIT_KEY (${keyFingerprint(Buffer.from(NEW))}); nothing to adopt.`]);

    const withoutKey = await runCli(['audit', 'verify'], { DATA_DIR: dir });
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.errLines.at(-1)).toMatch(/broken at row 4 \(content_changed\)/);

    tamper(dir, 2);
    const edited = await runCli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(edited.code).toBe(1);
    expect(edited.errLines.at(-1)).toMatch(/^vault-chatops: audit chain broken at row 2 \(content_changed\)/);
  });

  it('changing from one key to another needs the previous key, and verify says what it could not check', async () => {
    const dir = seeded(OLD);
    const noPrevious = await runCli(['audit', 'adopt-key'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(noPrevious.code).toBe(1);
    expect(noPrevious.errLines).toEqual([
      `vault-chatops: The audit log was written with another AUDIT_KEY (${keyFingerprint(Buffer.from(OLD))}); give that key with --previous-key-file so the history is checked before the change.`,
    ]);
    const file = join(dir, 'old.key');
    writeFileSync(file, `${OLD}\n`);
    const adopt = await runCli(['audit', 'adopt-key', '--previous-key-file', file], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(adopt.code).toBe(0);

    const partly = await runCli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(partly.code).toBe(0);
    expect(partly.errLines).toEqual([
      `vault-chatops: rows 1–3 were written with an earlier AUDIT_KEY (${keyFingerprint(Buffer.from(OLD))}): their links were checked, their contents were not; give that key with --previous-key-file to check them`,
    ]);
    const fully = await runCli(['audit', 'verify', '--previous-key-file', file], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(fully.stderr).toBe('');
    expect(fully.stdout).toMatch(/audit chain intact: 4 rows/);
    expect(fully.stdout).not.toContain(OLD);
    expect(fully.stdout).not.toContain(NEW);
  });

  it('refuses to seal a broken chain, and needs AUDIT_KEY', async () => {
    const dir = seeded();
    const noKey = await runCli(['audit', 'adopt-key'], { DATA_DIR: dir });
    expect(noKey.code).toBe(2);
    expect(noKey.errLines.at(-1)).toBe('vault-chatops: audit adopt-key needs the new key in AUDIT_KEY, e.g. export AUDIT_KEY=$(openssl rand -base64 32)');
    tamper(dir, 2);
    const run = await runCli(['audit', 'adopt-key'], { DATA_DIR: dir, AUDIT_KEY: NEW });
    expect(run.code).toBe(1);
    expect(run.errLines.at(-1)).toMatch(/^vault-chatops: The audit chain is broken at row 2 \(content_changed\).*investigate first\.$/);
  });
});
