/**
 * @module db/migrate
 * Applies `migrations/NNN_name.sql` in name order, each in its own IMMEDIATE transaction, and
 * records name, sha256 checksum and time in `schema_migrations`. A recorded migration whose file
 * changed or vanished stops start-up: landed migrations are never edited, a new one is added.
 * The IMMEDIATE transaction re-checks what is applied, so two processes starting together apply
 * each migration once.
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

export function runMigrations(db: Database, options: { migrationsDir?: string; logger?: Logger } = {}): MigrationResult {
  const dir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
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

  const applied: string[] = [];
  for (const file of files) {
    const apply = db.transaction(() => {
      if (recorded.get(file.name) !== undefined) return false;
      db.exec(file.sql);
      record.run(file.name, file.checksum, new Date().toISOString());
      return true;
    });
    try {
      if (apply.immediate()) applied.push(file.name);
    } catch (error) {
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
