/** @module cli/migrate `vault-chatops migrate`: apply pending database migrations and say what ran. */
import { join } from 'node:path';
import { DATABASE_FILE, openDatabase } from '../core/db/open-database.js';
import { runMigrations } from '../core/db/migrate.js';
import type { Command } from './registry.js';

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'migrate',
  summary: 'create or update the SQLite database in DATA_DIR',
  run(_args, ctx) {
    const { dataDir } = ctx.config();
    const db = openDatabase(dataDir, { migrate: false });
    try {
      const { applied, total } = runMigrations(db);
      for (const name of applied) ctx.out(`applied ${name}`);
      ctx.out(`database ${join(dataDir, DATABASE_FILE)} is up to date (${total} migration${total === 1 ? '' : 's'})`);
      return 0;
    } finally {
      db.close();
    }
  },
};
