/**
 * @module config/env-schema
 * The zod schema of every variable in DESIGN §3, each validated on its own. Presence rules that
 * depend on the command or on other variables live in `rules.ts`; defaults are applied when the
 * typed `Config` is assembled in `load-config.ts`.
 */
import { z } from 'zod';
import {
  backupStore, boolean, cron, envVar, httpUrl, httpUrls, logLevel, minLength, positiveInt, prefixed,
  readableFile, slackId, slackUserIds, text,
} from './fields.js';
import { parseKeyring } from './keyring.js';
import { pgpKeyFiles, rotationRulesFile } from '../rotation/config-fields.js';

export const envSchema = z.object({
  SLACK_BOT_TOKEN: envVar('SLACK_BOT_TOKEN', prefixed('xoxb-', 'a bot token')),
  SLACK_APP_TOKEN: envVar('SLACK_APP_TOKEN', prefixed('xapp-', 'an app-level token')),
  SLACK_SIGNING_SECRET: envVar('SLACK_SIGNING_SECRET', text),
  SLACK_API_URL: envVar('SLACK_API_URL', httpUrl),
  PORT: envVar('PORT', positiveInt(65535)),
  SLACK_OPS_CHANNEL: envVar('SLACK_OPS_CHANNEL', slackId('CGD', 'channel')),
  SLACK_ONCALL_GROUP: envVar('SLACK_ONCALL_GROUP', slackId('S', 'user group')),
  SLACK_APPROVERS: envVar('SLACK_APPROVERS', slackUserIds),
  SLACK_APPROVER_GROUP: envVar('SLACK_APPROVER_GROUP', slackId('S', 'user group')),
  VAULT_ADDR: envVar('VAULT_ADDR', httpUrl),
  VAULT_TOKEN: envVar('VAULT_TOKEN', text),
  VAULT_ROLE_ID: envVar('VAULT_ROLE_ID', text),
  VAULT_SECRET_ID: envVar('VAULT_SECRET_ID', text),
  VAULT_NAMESPACE: envVar('VAULT_NAMESPACE', text),
  VAULT_CACERT: envVar('VAULT_CACERT', readableFile),
  VAULT_STAGING_ADDR: envVar('VAULT_STAGING_ADDR', httpUrl),
  VAULT_STAGING_TOKEN: envVar('VAULT_STAGING_TOKEN', text),
  VAULT_NODE_ADDRS: envVar('VAULT_NODE_ADDRS', httpUrls),
  VAULT_CANARY_PATH: envVar('VAULT_CANARY_PATH', (v) => ({ ok: true, value: v.replace(/^\/+/, '') })),
  VAULT_CANARY_TOKEN: envVar('VAULT_CANARY_TOKEN', text),
  VAULT_RESTORE_TIMEOUT_SECONDS: envVar('VAULT_RESTORE_TIMEOUT_SECONDS', positiveInt(7 * 86_400)),
  BACKUP_STORE: envVar('BACKUP_STORE', backupStore),
  S3_ENDPOINT: envVar('S3_ENDPOINT', httpUrl),
  S3_REGION: envVar('S3_REGION', text),
  S3_FORCE_PATH_STYLE: envVar('S3_FORCE_PATH_STYLE', boolean),
  BACKUP_KEYS: envVar('BACKUP_KEYS', parseKeyring),
  BACKUP_ACTIVE_KEY: envVar('BACKUP_ACTIVE_KEY', text),
  DATA_DIR: envVar('DATA_DIR', text),
  BACKUP_CRON: envVar('BACKUP_CRON', cron),
  MONTHLY_CRON: envVar('MONTHLY_CRON', cron),
  RESTORE_TEST_CRON: envVar('RESTORE_TEST_CRON', cron),
  HEALTH_CRON: envVar('HEALTH_CRON', cron),
  RETAIN_DAILY: envVar('RETAIN_DAILY', positiveInt()),
  RETAIN_MONTHLY: envVar('RETAIN_MONTHLY', positiveInt()),
  AUDIT_KEY: envVar('AUDIT_KEY', minLength(16)),
  ALERT_REMIND_MINUTES: envVar('ALERT_REMIND_MINUTES', positiveInt()),
  ALERT_AFTER_FAILURES: envVar('ALERT_AFTER_FAILURES', positiveInt(100)),
  LATENCY_WARN_MS: envVar('LATENCY_WARN_MS', positiveInt(60_000)),
  PAGERDUTY_ROUTING_KEY: envVar('PAGERDUTY_ROUTING_KEY', text),
  PAGERDUTY_EVENTS_URL: envVar('PAGERDUTY_EVENTS_URL', httpUrl),
  DRILL_CRON: envVar('DRILL_CRON', cron),
  RTO_RESTORE_MINUTES: envVar('RTO_RESTORE_MINUTES', positiveInt()),
  RTO_ROTATION_MINUTES: envVar('RTO_ROTATION_MINUTES', positiveInt()),
  RTO_ALERT_MINUTES: envVar('RTO_ALERT_MINUTES', positiveInt()),
  ROTATION_RULES: envVar('ROTATION_RULES', rotationRulesFile),
  REKEY_SHARES: envVar('REKEY_SHARES', positiveInt(255)),
  REKEY_THRESHOLD: envVar('REKEY_THRESHOLD', positiveInt(255)),
  REKEY_PGP_KEYS: envVar('REKEY_PGP_KEYS', pgpKeyFiles),
  LOG_LEVEL: envVar('LOG_LEVEL', logLevel),
});

export type ParsedEnv = z.output<typeof envSchema>;
