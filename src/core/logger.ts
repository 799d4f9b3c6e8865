/**
 * @module logger
 * The pino logger every component gets. Redaction is the safety net under "never log secrets":
 * whatever object reaches a log line, the usual secret-bearing fields are censored down to four
 * levels of nesting (pino's redact paths have no recursive wildcard, so depth is spelled out).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config/types.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stdout. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

export const REDACTED = '[redacted]';

/** Field names whose values are secrets wherever they appear. */
const SECRET_FIELDS = [
  'token', 'botToken', 'appToken', 'clientToken', 'client_token', 'accessToken', 'access_token',
  'refreshToken', 'sessionToken', 'root_token', 'rootToken', 'wrapped_token',
  'secret', 'secretId', 'secret_id', 'signingSecret', 'clientSecret', 'secretAccessKey', 'accessKeyId',
  'password', 'passphrase', 'credentials',
  'keys', 'keys_base64', 'keys_b64', 'unsealKey', 'unsealKeys', 'unseal_keys_b64', 'unseal_keys_hex',
  'recovery_keys', 'recovery_keys_b64', 'recovery_keys_base64', 'share', 'shares_b64', 'keyShare',
  'privateKey', 'private_key', 'apiKey', 'api_key', 'auditKey', 'routingKey', 'routing_key',
  'encryptionKey', 'hmacKey', 'authorization', 'Authorization', 'cookie', 'Cookie',
  'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'VAULT_TOKEN', 'VAULT_SECRET_ID',
  'VAULT_STAGING_TOKEN', 'BACKUP_KEYS', 'AUDIT_KEY', 'PAGERDUTY_ROUTING_KEY', 'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

/** Header names (any case a client may use) that carry credentials. */
const SECRET_HEADERS = [
  'authorization', 'Authorization', 'x-vault-token', 'X-Vault-Token', 'cookie', 'Cookie', 'set-cookie',
  'x-amz-security-token', 'X-Amz-Security-Token',
];

const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];

export const REDACT_PATHS: string[] = [
  ...DEPTHS.flatMap((prefix) => SECRET_FIELDS.map((field) => `${prefix}${field}`)),
  ...DEPTHS.flatMap((prefix) => SECRET_HEADERS.map((header) => `${prefix}headers["${header}"]`)),
];

/**
 * @example
 * const logger = createLogger({ level: config.logLevel });
 * logger.child({ job: 'backup', kind: 'daily' }).info('backup started');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', destination } = options;
  const settings = {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    base: { name: 'vault-chatops' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(settings) : pino(settings, destination);
}
