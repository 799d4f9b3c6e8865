/**
 * @module db/open-database
 * Opens (creating if needed, owner-only: folder 0700, file 0600) `<dataDir>/vault-chatops.db` with WAL, a 5 s busy timeout and foreign
 * keys on, then applies pending migrations. A data folder that cannot hold the database becomes
 * one `data_dir_unusable` error naming the path and the fix.
 */
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { CoreError, ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { runMigrations } from './migrate.js';

export type { Database } from 'better-sqlite3';

export const DATABASE_FILE = 'vault-chatops.db';

export interface OpenDatabaseOptions {
  /** Default: the package's `migrations/` folder. */
  migrationsDir?: string;
  logger?: Logger;
  /** Apply pending migrations (default true). `migrate` opens without and runs them itself to report. */
  migrate?: boolean;
  /** How long a write waits for another connection's lock before failing; default 5 s. */
  busyTimeoutMs?: number;
}

function unusable(dir: string, why: string, cause?: unknown): CoreError {
  return new CoreError(
    ErrorCode.DataDirUnusable,
    `DATA_DIR ${dir} ${why}; point DATA_DIR at a folder this user (uid ${process.getuid?.() ?? '?'}) can write, or fix its permissions.`,
    { cause },
  );
}

/**
 * Makes sure `dir` is a folder this process can write, creating it unless `create` is false;
 * otherwise throws `data_dir_unusable` naming the path.
 */
export function checkDataDir(dir: string, { create = true }: { create?: boolean } = {}): void {
  if (!create && !existsSync(dir)) throw unusable(dir, 'does not exist');
  try {
    // The database holds the audit log and the catalogue: owner only. (An existing folder keeps its mode.)
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' ? 'is a file, not a folder'
      : code === 'ENOTDIR' ? 'has a file where one of its parent folders should be'
      : `cannot be created (${code ?? 'error'})`;
    throw unusable(dir, why, error);
  }
  if (!statSync(dir).isDirectory()) throw unusable(dir, 'is a file, not a folder');
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unusable(dir, 'is not writable', error);
  }
}

/**
 * @example
 * const db = openDatabase(config.dataDir, { logger });
 * const audit = new AuditLog(db, { key: config.auditKey });
 */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): Database {
  const dir = resolve(dataDir);
  checkDataDir(dir);
  let db: Database;
  try {
    const busy = options.busyTimeoutMs ?? 5000;
    const file = join(dir, DATABASE_FILE);
    // Created readable by the owner only; SQLite gives its -wal and -shm files the same mode.
    if (!existsSync(file)) {
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    db = new BetterSqlite3(file, { timeout: busy });
    // busy_timeout first, so switching to WAL waits for another process instead of failing.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busy))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    throw unusable(dir, `does not hold a usable database (${(error as Error).message})`, error);
  }
  if (options.migrate === false) return db;
  try {
    runMigrations(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
