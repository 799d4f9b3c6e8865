/**
 * @module bot/bolt-logger
 * Bolt's own log lines (receiver errors, signature failures, ack timeouts) go to our pino logger,
 * so one stream holds everything and the same redaction applies to it.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../core/logger.js';

const PINO_LEVEL: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

export function boltLogger(base: Logger): BoltLogger {
  let logger = base.child({ component: 'bolt' });
  const line = (msg: unknown[]): string => msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  const errorOf = (msg: unknown[]): Error | undefined => msg.find((m): m is Error => m instanceof Error);
  // Bolt and the Web API client log every request at debug; format only what will be written.
  const at = (level: 'debug' | 'info' | 'warn') => (...msg: unknown[]) => {
    if (logger.isLevelEnabled(level)) logger[level](line(msg));
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: (...msg: unknown[]) => {
      const err = errorOf(msg);
      // One plain line at error; the stack only at debug (bolt's HTTPModuleFunctions does the same).
      logger.error(line(msg));
      if (err) logger.debug({ err }, 'bolt error detail');
    },
    // LOG_LEVEL decides, not Bolt: App calls setLevel(INFO) when it is given a logger.
    setLevel: () => {},
    getLevel: () => (Object.entries(PINO_LEVEL).find(([, v]) => v === logger.level)?.[0] as LogLevel | undefined) ?? LogLevel.INFO,
    setName: (name: string) => {
      logger = logger.child({ bolt: name });
    },
  };
}
