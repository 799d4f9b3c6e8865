import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { openDatabase } from '../../src/core/db/open-database.js';
import { registry } from '../../src/cli/commands.js';
import { runCli } from './run-cli.js';

const STACK_LINE = /^\s+at /m;
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vc-cli-'));
  dirs.push(dir);
  return dir;
}

/** A data dir whose audit log holds three rows written with `key` (or none). */
function seeded(key?: string): string {
  const dir = dataDir();
  const db = openDatabase(dir);
  const audit = new AuditLog(db, key === undefined ? {} : { key });
  audit.append({ actor: 'system', event: 'backup.succeeded', target: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc', details: { kind: 'daily', bytes: 1024 } });
  audit.append({ actor: 'U0ANA', event: 'restore.requested', target: 'req-1', details: { note: 'drill in staging', token: 'hvs.NEVER' } });
  audit.append({ actor: 'cli', event: 'retention.deleted', details: {} });
  db.close();
  return dir;
}

function tamperRow2(dir: string) {
  const raw = new BetterSqlite3(join(dir, 'vault-chatops.db'));
  raw.exec(`DROP TRIGGER audit_log_no_update;
    UPDATE audit_log SET actor = 'U0MALLORY' WHERE id = 2;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;`);
  raw.close();
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('vault-chatops CLI', () => {
  it('lists the commands', async () => {
    const run = await runCli(['help']);
    expect(run.code).toBe(0);
    for (const usage of ['start', 'migrate', 'audit verify [--anchor <id:hash>]', 'audit tail [N]', 'help']) expect(run.stdout).toContain(usage);
    expect(run.stderr).toBe('');
  });

  it('start with an empty environment lists every missing variable and exits 2', async () => {
    const run = await runCli(['start'], {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.errLines.map((l) => l.split(' ')[1])).toEqual([
      'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_OPS_CHANNEL', 'SLACK_APPROVERS', 'VAULT_ADDR', 'VAULT_TOKEN', 'BACKUP_KEYS',
    ]);
    for (const line of run.errLines) expect(line).toMatch(/^vault-chatops: [A-Z_]+ .*missing.*e\.g\. /);
  });

  it('start with a DATA_DIR that is a file says so in one line', async () => {
    const file = join(dataDir(), 'not-a-dir');
    writeFileSync(file, '');
    const run = await runCli(['start'], {
      SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SLACK_OPS_CHANNEL: 'C0OPS', SLACK_APPROVERS: 'U0ANA',
      VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'hvs.x', BACKUP_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
      DATA_DIR: file,
    });
    expect(run.code).toBe(1);
    expect(run.errLines).toEqual([expect.stringMatching(new RegExp(`^vault-chatops: DATA_DIR ${file} is a file, not a folder; point DATA_DIR at`))]);
  });

  it('migrate creates the database and says what it applied', async () => {
    const dir = dataDir();
    const first = await runCli(['migrate'], { DATA_DIR: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied 001_audit_log\.sql\n/);
    expect(first.stdout).toMatch(new RegExp(`database ${join(dir, 'vault-chatops.db')} is up to date \\(\\d+ migrations?\\)\\n$`));
    const second = await runCli(['migrate'], { DATA_DIR: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('applied');
  });

  it('migrate refuses an invalid configuration with exit 2', async () => {
    const run = await runCli(['migrate'], { DATA_DIR: dataDir(), LOG_LEVEL: 'chatty' });
    expect(run.code).toBe(2);
    expect(run.errLines).toEqual([expect.stringMatching(/^vault-chatops: LOG_LEVEL is not a log level \("chatty"\)/)]);
  });

  describe('audit verify', () => {
    it('reports an intact chain with its head, and warns once without AUDIT_KEY', async () => {
      const dir = seeded();
      const run = await runCli(['audit', 'verify'], { DATA_DIR: dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^audit chain intact: 3 rows, head 3:[0-9a-f]{12}…\n$/);
      expect(run.errLines).toEqual([expect.stringMatching(/^vault-chatops: warning: AUDIT_KEY is not set, .*only catches accidents/)]);
    });

    it('verifies a keyed chain without a warning', async () => {
      const key = 'cli-audit-key-0123456789';
      const dir = seeded(key);
      const run = await runCli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_KEY: key });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const wrong = await runCli(['audit', 'verify'], { DATA_DIR: dir, AUDIT_KEY: 'another-key-0123456789' });
      expect(wrong.code).toBe(1);
      expect(wrong.errLines).toEqual([expect.stringMatching(/audit chain broken at row 1 .*AUDIT_KEY is not the key/)]);
    });

    it('names the first tampered row and exits 1', async () => {
      const dir = seeded();
      tamperRow2(dir);
      const run = await runCli(['audit', 'verify'], { DATA_DIR: dir });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.errLines.at(-1)).toBe(
        "vault-chatops: audit chain broken at row 2 (content_changed): Row 2's hash does not match its contents: the row was edited. 1 row verified before it.",
      );
    });

    it('checks against an anchor from a backup', async () => {
      const dir = seeded();
      const db = openDatabase(dir);
      const head = new AuditLog(db).head();
      db.close();
      const anchor = `${head.id}:${head.hash}`;
      const good = await runCli(['audit', 'verify', '--anchor', anchor], { DATA_DIR: dir });
      expect(good.code).toBe(0);
      expect(good.stdout).toContain(`, anchor 3:${head.hash.slice(0, 12)}… matches`);
      const later = await runCli(['audit', 'verify', `--anchor=5:${head.hash}`], { DATA_DIR: dir });
      expect(later.code).toBe(1);
      expect(later.errLines.at(-1)).toMatch(/broken at row 4 \(truncated\): The log ends at row 3 but the anchor names row 5/);
      const bad = await runCli(['audit', 'verify', '--anchor', 'latest'], { DATA_DIR: dir });
      expect(bad.code).toBe(2);
      expect(bad.errLines.at(-1)).toMatch(/^vault-chatops: The audit anchor must look like <id>:<64 hex characters>.*\("vault-chatops backup show latest" prints it\); usage: vault-chatops audit verify/);
    });

    it('refuses to report on a database that does not exist', async () => {
      const dir = join(dataDir(), 'typo');
      const run = await runCli(['audit', 'verify'], { DATA_DIR: dir });
      expect(run.code).toBe(1);
      expect(run.errLines.at(-1)).toMatch(new RegExp(`^vault-chatops: DATA_DIR ${dir} does not exist;`));
      const empty = dataDir();
      const none = await runCli(['audit', 'tail'], { DATA_DIR: empty });
      expect(none.errLines.at(-1)).toBe(`vault-chatops: There is no database at ${join(empty, 'vault-chatops.db')}; check DATA_DIR, or run "vault-chatops migrate" to create one.`);
    });
  });

  it('audit tail shows the newest rows readably, secrets redacted', async () => {
    const dir = seeded();
    const run = await runCli(['audit', 'tail', '2'], { DATA_DIR: dir, AUDIT_KEY: undefined });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}#2 {2}U0ANA {2}restore\.requested {2}req-1 {2}note="drill in staging" token=\[redacted\]$/);
    expect(lines[1]).toMatch(/ {2}#3 {2}cli {2}retention\.deleted {2}-$/);
    expect(run.stdout).not.toContain('hvs.NEVER');
    expect((await runCli(['audit', 'tail', 'ten'], { DATA_DIR: dir })).code).toBe(2);
  });

  describe('bad input', () => {
    it.each([
      [['frobnicate'], 'vault-chatops: unknown command "frobnicate"; run "vault-chatops help"'],
      [['audit', 'frob'], 'vault-chatops: unknown command "audit frob"; run "vault-chatops help"'],
      [['audit'], 'vault-chatops: "audit" needs a subcommand: "audit verify", "audit tail", "audit adopt-key"; run "vault-chatops audit --help"'],
      [['migrate', '--force'], 'vault-chatops: unknown flag "--force" for "migrate"; usage: vault-chatops migrate'],
      [['migrate', 'now'], 'vault-chatops: unexpected argument "now" for "migrate"; usage: vault-chatops migrate'],
      [['audit', 'verify', '--anchor'], 'vault-chatops: --anchor needs a value <id:hash>; usage: vault-chatops audit verify [--anchor <id:hash>]'],
    ])('%j exits 2 with one line', async (argv, line) => {
      const run = await runCli(argv, { DATA_DIR: dataDir() });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.errLines).toEqual([line]);
    });

    it('shows an unexpected error in one line, with the stack only at LOG_LEVEL=debug', async () => {
      if (!registry.list().some((c) => c.name === 'test explode')) {
        registry.register({ name: 'test explode', usage: 'test explode', summary: 'fails', run: () => { throw new TypeError('wires crossed'); } });
      }
      const quiet = await runCli(['test', 'explode']);
      expect(quiet.code).toBe(1);
      expect(quiet.errLines).toEqual(['vault-chatops: unexpected error: wires crossed']);
      const debug = await runCli(['test', 'explode'], { LOG_LEVEL: 'debug' });
      expect(debug.errLines[0]).toBe('vault-chatops: unexpected error: wires crossed');
      expect(debug.stderr).toMatch(STACK_LINE);
    });

    it('never prints a stack trace for ordinary failures', async () => {
      const dir = seeded();
      tamperRow2(dir);
      const runs = await Promise.all([
        runCli(['start'], {}),
        runCli(['audit', 'verify'], { DATA_DIR: dir }),
        runCli(['audit', 'verify'], { DATA_DIR: join(dir, 'vault-chatops.db') }),
        runCli(['nope']),
      ]);
      for (const run of runs) {
        expect(run.code).not.toBe(0);
        expect(run.stderr).not.toMatch(STACK_LINE);
      }
    });
  });
});
