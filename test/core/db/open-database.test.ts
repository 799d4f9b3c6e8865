import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, DEFAULT_MIGRATIONS_DIR, openDatabase, type Database } from '../../../src/core/db/index.js';
import { CoreError } from '../../../src/core/errors.js';

const opened: Database[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vc-db-'));
  dirs.push(dir);
  return dir;
}

function migrationsDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

function open(dataDir: string, migrations: string): Database {
  const db = openDatabase(dataDir, { migrationsDir: migrations });
  opened.push(db);
  return db;
}

function caught(fn: () => unknown): CoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
  throw new Error('expected a CoreError');
}

afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const BASE = {
  '001_things.sql': 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);',
  '002_thing_colour.sql': "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'blue';",
};

describe('openDatabase', () => {
  it('creates the data folder and opens the database with WAL, a busy timeout and foreign keys', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const db = open(dataDir, migrationsDir(BASE));
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('applies migrations in name order, once, and records each with its checksum', () => {
    const dataDir = tempDir();
    const migrations = migrationsDir(BASE);
    const db = open(dataDir, migrations);
    db.prepare("INSERT INTO things (name) VALUES ('a')").run();
    expect(db.prepare('SELECT colour FROM things').get()).toEqual({ colour: 'blue' });
    const recorded = db.prepare('SELECT name, checksum, applied_at FROM schema_migrations ORDER BY name').all() as { name: string; checksum: string; applied_at: string }[];
    expect(recorded.map((r) => r.name)).toEqual(['001_things.sql', '002_thing_colour.sql']);
    expect(recorded[0]?.checksum).toBe(createHash('sha256').update(BASE['001_things.sql']).digest('hex'));
    expect(new Date(recorded[0]?.applied_at ?? '').toISOString()).toBe(recorded[0]?.applied_at);
    db.close();

    // Re-opening runs nothing again (a second ALTER TABLE ADD COLUMN would fail) and keeps the data.
    const again = open(dataDir, migrations);
    expect(again.prepare('SELECT count(*) AS n FROM things').get()).toEqual({ n: 1 });
    expect(again.prepare('SELECT applied_at FROM schema_migrations ORDER BY name').all()).toEqual(recorded.map((r) => ({ applied_at: r.applied_at })));
  });

  it('applies a migration added later', () => {
    const dataDir = tempDir();
    const migrations = migrationsDir(BASE);
    open(dataDir, migrations).close();
    writeFileSync(join(migrations, '003_more.sql'), 'CREATE TABLE more (id INTEGER PRIMARY KEY);');
    const db = open(dataDir, migrations);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'more'").get()).toEqual({ name: 'more' });
  });

  it('refuses to start when a landed migration was edited, naming the file', () => {
    const dataDir = tempDir();
    const migrations = migrationsDir(BASE);
    open(dataDir, migrations).close();
    writeFileSync(join(migrations, '001_things.sql'), 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT);');
    const error = caught(() => open(dataDir, migrations));
    expect(error.code).toBe('migration_changed');
    expect(error.userMessage).toContain('001_things.sql has changed since it was applied');
    expect(error.userMessage).toContain('landed migrations are never edited — add a new one');
  });

  it('refuses to start when a landed migration disappeared', () => {
    const dataDir = tempDir();
    const migrations = migrationsDir(BASE);
    open(dataDir, migrations).close();
    rmSync(join(migrations, '002_thing_colour.sql'));
    const error = caught(() => open(dataDir, migrations));
    expect(error.code).toBe('migration_changed');
    expect(error.userMessage).toMatch(/Migration 002_thing_colour\.sql is missing from .*; landed migrations are never edited — add a new one/);
  });

  it('rolls back a failing migration entirely and names it', () => {
    const dataDir = tempDir();
    const migrations = migrationsDir({ ...BASE, '003_broken.sql': 'CREATE TABLE half (id INTEGER);\nCREATE TABLEX oops;' });
    const error = caught(() => open(dataDir, migrations));
    expect(error.code).toBe('migration_failed');
    expect(error.userMessage).toMatch(/^Migration 003_broken\.sql failed \(.*syntax error.*\)/);
    const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
    opened.push(db);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all()).toEqual(['001_things.sql', '002_thing_colour.sql']);
  });

  it('ships the audit log migration in the default folder', () => {
    const db = openDatabase(tempDir());
    opened.push(db);
    expect(existsSync(join(DEFAULT_MIGRATIONS_DIR, '001_audit_log.sql'))).toBe(true);
    expect(db.prepare('SELECT name FROM schema_migrations').pluck().all()).toContain('001_audit_log.sql');
  });

  describe('an unusable data folder', () => {
    it('is named when it is a file', () => {
      const file = join(tempDir(), 'data');
      writeFileSync(file, 'not a folder');
      const error = caught(() => open(file, migrationsDir(BASE)));
      expect(error.code).toBe('data_dir_unusable');
      expect(error.userMessage).toBe(
        `DATA_DIR ${file} is a file, not a folder; point DATA_DIR at a folder this user (uid ${process.getuid?.()}) can write, or fix its permissions.`,
      );
    });

    it('is named when a parent is a file', () => {
      const file = join(tempDir(), 'data');
      writeFileSync(file, 'not a folder');
      const error = caught(() => open(join(file, 'sub'), migrationsDir(BASE)));
      expect(error.code).toBe('data_dir_unusable');
      expect(error.userMessage).toContain(`DATA_DIR ${join(file, 'sub')} has a file where one of its parent folders should be`);
    });

    it('is named when the database file is not a database', () => {
      const dataDir = tempDir();
      writeFileSync(join(dataDir, DATABASE_FILE), 'this is not sqlite, just text that is long enough to have a header');
      const error = caught(() => open(dataDir, migrationsDir(BASE)));
      expect(error.code).toBe('data_dir_unusable');
      expect(error.userMessage).toContain(`DATA_DIR ${dataDir} does not hold a usable database`);
    });

    it.skipIf(process.getuid?.() === 0)('is named when it is not writable', () => {
      const dataDir = join(tempDir(), 'ro');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o500);
      const error = caught(() => open(dataDir, migrationsDir(BASE)));
      expect(error.userMessage).toContain(`DATA_DIR ${dataDir} is not writable`);
      chmodSync(dataDir, 0o700);
    });
  });
});

describe('file modes (issue 7)', () => {
  it('creates DATA_DIR readable by the owner only (0700) and the database and its WAL file 0600, whatever the umask', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const old = process.umask(0o022);
    try {
      const db = open(dataDir, migrationsDir({ '001_t.sql': 'CREATE TABLE t (x INTEGER);' }));
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, DATABASE_FILE)).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, `${DATABASE_FILE}-wal`)).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });
});

describe('while another process holds the database lock', () => {
  function lockedBy(dataDir: string): BetterSqlite3.Database {
    const other = new BetterSqlite3(join(dataDir, DATABASE_FILE));
    other.exec('BEGIN EXCLUSIVE');
    return other;
  }

  it('an up-to-date database still opens: applied migrations are only read', () => {
    const dataDir = tempDir();
    const migrations = migrationsDir({ '001_t.sql': 'CREATE TABLE t (x INTEGER);', '002_u.sql': 'CREATE TABLE u (y INTEGER);' });
    openDatabase(dataDir, { migrationsDir: migrations }).close();
    const other = lockedBy(dataDir);
    try {
      const db = openDatabase(dataDir, { migrationsDir: migrations, busyTimeoutMs: 50 });
      opened.push(db);
      expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    } finally {
      other.exec('COMMIT');
      other.close();
    }
  });

  it('a pending migration blocked by the lock is reported as a lock to try again, not a migration to fix', () => {
    const dataDir = tempDir();
    openDatabase(dataDir, { migrationsDir: migrationsDir({ '001_t.sql': 'CREATE TABLE t (x INTEGER);' }) }).close();
    const other = lockedBy(dataDir);
    try {
      const error = caught(() => openDatabase(dataDir, { migrationsDir: migrationsDir({ '001_t.sql': 'CREATE TABLE t (x INTEGER);', '002_u.sql': 'CREATE TABLE u (y INTEGER);' }), busyTimeoutMs: 50 }));
      expect(error.userMessage).toMatch(/^The database is locked by another process \(database is locked\); try again/);
      expect(error.userMessage).not.toMatch(/fix the migration/);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
  });
});
