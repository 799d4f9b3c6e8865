/**
 * @module cli/start
 * `vault-chatops start`: validate everything, open the database, then hand over to the bot. The
 * database is opened here rather than through the context because it must outlive this command:
 * the bot keeps running on its own handles after `start` resolves.
 */
import { openDatabase } from '../core/db/open-database.js';
import { createLogger } from '../core/logger.js';
import { configWarnings } from '../core/config/warnings.js';
import { PROGRAM, UNKEYED_AUDIT_WARNING } from './context.js';
import type { Command } from './registry.js';

export const startCommand: Command = {
  name: 'start',
  usage: 'start',
  summary: 'run the Slack bot, health checks and backup schedule',
  async run(_args, ctx) {
    const config = ctx.config(['slack', 'vault', 'backup']);
    const logger = createLogger({ level: config.logLevel, destination: { write: (line: string) => ctx.io.stdout.write(line) } });
    const db = openDatabase(config.dataDir, { logger });
    if (config.auditKey === undefined) ctx.io.stderr.write(`${UNKEYED_AUDIT_WARNING}\n`);
    for (const line of configWarnings(config)) ctx.io.stderr.write(`${PROGRAM}: ${line}\n`);
    try {
      const bot = await import('../bot/start.js');
      await bot.start({ config, logger, db });
    } catch (error) {
      db.close();
      throw error;
    }
    return 0;
  },
};
