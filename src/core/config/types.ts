/**
 * @module config/types
 * The validated configuration (DESIGN §3) as the rest of the program sees it. Secrets are kept as
 * given; only `loadConfig` builds these objects, so everything here has passed validation.
 */

/** Groups of variables a command needs; `migrate` and `audit` need none, `start` needs all. */
export type Need = 'slack' | 'vault' | 'backup';

import type { RotationRules } from '../rotation/rules.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface SlackConfig {
  botToken: string;
  /** Set → Socket Mode; unset → HTTP mode (then `signingSecret` is set). */
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
  opsChannel: string;
  /** User group mentioned when paging; unset → `@here`. */
  oncallGroup?: string;
  /** User IDs allowed to request and approve (may be empty when `approverGroup` is set). */
  approvers: string[];
  approverGroup?: string;
}

export interface VaultConfig {
  addr: string;
  token?: string;
  appRole?: { roleId: string; secretId: string };
  namespace?: string;
  /** Path of an extra CA bundle, checked readable at start-up. */
  caCert?: string;
  staging?: { addr: string; token: string };
  /** VAULT_NODE_ADDRS: every node's API address (no trailing `/`), for the cluster-wide seal. */
  nodeAddrs?: string[];
  /** Secret read after a restore, without a leading slash, e.g. `secret/data/canary`. */
  canaryPath?: string;
  /** VAULT_CANARY_TOKEN: a production token allowed only to read `canaryPath`; used for canary reads when set. */
  canaryToken?: string;
  /** VAULT_RESTORE_TIMEOUT_SECONDS: how long a restore waits for Vault's answer to the upload; default 3600. */
  restoreTimeoutSeconds?: number;
}

export interface BackupKey {
  id: string;
  /** Exactly 32 bytes. */
  key: Buffer;
}

export interface BackupConfig {
  /** As given: `s3://bucket/prefix`, `file:///abs/path`, or a folder path; default `<dataDir>/backups`. */
  store: string;
  s3: { endpoint?: string; region?: string; forcePathStyle: boolean };
  /** At least one key, ids unique, in the order given. */
  keys: BackupKey[];
  activeKeyId: string;
  retainDaily: number;
  retainMonthly: number;
}

export interface ScheduleConfig {
  backupCron: string;
  monthlyCron: string;
  restoreTestCron: string;
  healthCron: string;
}

/** DESIGN §13: when non-destructive drills run, and the recovery-time targets drills are measured against. */
export interface DrillConfig {
  cron: string;
  rtoRestoreMinutes: number;
  rtoRotationMinutes: number;
  rtoAlertMinutes: number;
}

export interface PagerDutyConfig {
  routingKey: string;
  eventsUrl: string;
}

/** Everything; `start` gets exactly this. */
export interface Config {
  slack: SlackConfig;
  port: number;
  vault: VaultConfig;
  backup: BackupConfig;
  schedule: ScheduleConfig;
  /** Absolute path. */
  dataDir: string;
  auditKey?: string;
  alertRemindMinutes: number;
  /** ALERT_AFTER_FAILURES: consecutive failed health rounds before an alert fires. */
  alertAfterFailures: number;
  /** LATENCY_WARN_MS. */
  latencyWarnMs: number;
  pagerduty?: PagerDutyConfig;
  logLevel: LogLevel;
  drills: DrillConfig;
  rotation: RotationConfig;
}

/** DESIGN §11: which fields rotate (ROTATION_RULES, already validated) and the rekey's new shares. */
export interface RotationConfig {
  rules: RotationRules;
  rekey: { shares: number; threshold: number; pgpKeys?: string[] };
}

/**
 * The configuration a command gets for what it asked: needed groups are always present; the others
 * are present only when their variables happen to be complete and valid.
 */
export type ConfigFor<N extends Need> = Omit<Config, Need> & Pick<Config, N> & Partial<Pick<Config, Need>>;

export type LoadConfigResult<N extends Need> =
  | { ok: true; config: ConfigFor<N> }
  | { ok: false; problems: string[] };
