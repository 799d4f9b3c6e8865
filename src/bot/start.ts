/**
 * @module bot/start
 * `vault-chatops start`: launch the bot (see `launch.ts`) and stop it cleanly on SIGTERM/SIGINT:
 * sweep, scheduler and receiver stop, then the database closes and the process exits 0.
 */
import type { Config } from '../core/config/index.js';
import type { Database } from '../core/db/index.js';
import type { Logger } from '../core/logger.js';
import { launchBot, type RunningBot } from './launch.js';

export interface StartOptions {
  config: Config;
  logger: Logger;
  db: Database;
}

export async function start({ config, logger, db }: StartOptions): Promise<RunningBot> {
  const bot = await launchBot({ config, logger, db });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void bot
      .stop()
      .then(() => {
        db.close();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'did not stop cleanly');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return bot;
}
