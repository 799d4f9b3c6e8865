/**
 * @module db/migrate
 * Applies `migrations/NNN_name.sql` in name order, each in its own IMMEDIATE transaction, and
 * records name, sha256 checksum and time in `schema_migrations`. A recorded migration whose file
 * changed or vanished stops start-up: landed migrations are never edited, a new one is added.
 * The IMMEDIATE transaction re-checks what is applied, so two processes starting together apply
 * each migration once. What is applied is read first, and the write lock is taken only for a
 * migration still to apply: an up-to-date database opens while another process holds the lock,
 * and a lock that blocks a pending migration is reported as a lock, not as a broken migration.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';
import { CoreError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** Resolves to `<repo>/migrations/` from both `src/core/db/` and `dist/core/db/`. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const MIGRATION_FILE = /^\d{3}_[A-Za-z0-9_-]+\.sql$/;

export interface MigrationResult {
  /** File names applied by this call, in order. */
  applied: string[];
  /** How many migrations the database now records. */
  total: number;
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(dir: string): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => MIGRATION_FILE.test(n)).sort();
  } catch (error) {
    throw new CoreError(ErrorCode.MigrationFailed, `Cannot read the migrations folder ${dir}; reinstall vault-chatops so its migrations/ folder is present.`, { cause: error });
  }
  return names.map((name) => {
    const sql = readFileSync(join(dir, name), 'utf8');
    return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** True for SQLite's "another connection holds the lock" errors. */
export function isDatabaseLocked(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'));
}

/** A locked database is another process at work, not a broken migration: say so, and that trying again helps. */
function lockedError(error: unknown): CoreError {
  return new CoreError(
    ErrorCode.DataDirUnusable,
    `The database is locked by another process (${(error as Error).message}); try again in a moment — if it stays locked, look for a vault-chatops process or a sqlite3 shell holding it.`,
    { cause: error },
  );
}

export function runMigrations(db: Database, options: { migrationsDir?: string; logger?: Logger } = {}): MigrationResult {
  const dir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  // Reads first: a database that is up to date needs no write lock, so every command still works
  // while another process (the bot backing up, a sqlite3 shell) holds it.
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get() !== undefined;
  if (!hasTable) {
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    } catch (error) {
      if (isDatabaseLocked(error)) throw lockedError(error);
      throw error;
    }
  }
  const files = readMigrations(dir);
  const byName = new Map(files.map((f) => [f.name, f]));
  const recorded = db.prepare('SELECT name, checksum FROM schema_migrations WHERE name = ?');
  const record = db.prepare('INSERT INTO schema_migrations (name, checksum, applied_at) VALUES (?, ?, ?)');

  const checkRecorded = () => {
    const rows = db.prepare('SELECT name, checksum FROM schema_migrations ORDER BY name').all() as { name: string; checksum: string }[];
    for (const row of rows) {
      const file = byName.get(row.name);
      if (file === undefined || file.checksum !== row.checksum) {
        const what = file === undefined ? `is missing from ${dir}` : 'has changed since it was applied';
        throw new CoreError(
          ErrorCode.MigrationChanged,
          `Migration ${row.name} ${what}; landed migrations are never edited — add a new one, and restore ${row.name} to the version this database recorded.`,
        );
      }
    }
    return rows.length;
  };
  checkRecorded();
  const alreadyApplied = new Set((db.prepare('SELECT name FROM schema_migrations').all() as { name: string }[]).map((r) => r.name));

  const applied: string[] = [];
  for (const file of files.filter((f) => !alreadyApplied.has(f.name))) {
    const apply = db.transaction(() => {
      if (recorded.get(file.name) !== undefined) return false;
      db.exec(file.sql);
      record.run(file.name, file.checksum, new Date().toISOString());
      return true;
    });
    try {
      if (apply.immediate()) applied.push(file.name);
    } catch (error) {
      if (isDatabaseLocked(error)) throw lockedError(error);
      throw new CoreError(
        ErrorCode.MigrationFailed,
        `Migration ${file.name} failed (${(error as Error).message}); the database is unchanged by it — fix the migration and start again.`,
        { cause: error },
      );
    }
    if (applied.at(-1) === file.name) options.logger?.info({ migration: file.name }, 'migration applied');
  }
  return { applied, total: checkRecorded() };
}
