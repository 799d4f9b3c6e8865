/** @module db The SQLite database: opening it and keeping its schema current. */
export { openDatabase, checkDataDir, DATABASE_FILE, type Database, type OpenDatabaseOptions } from './open-database.js';
export { runMigrations, DEFAULT_MIGRATIONS_DIR, type MigrationResult } from './migrate.js';
