/**
 * @module config/load-config
 * `loadConfig(env, needs)`: validates every variable (DESIGN §3) and either returns the typed
 * configuration or one problem line per variable, in catalogue order. Different commands need
 * different variables: `migrate`/`audit` need none, `backup run` needs vault+backup, `start` all.
 *
 * @example
 * const result = loadConfig(process.env, ['vault', 'backup']);
 * if (!result.ok) { for (const line of result.problems) console.error(line); process.exit(2); }
 * result.config.backup.keys; // typed, present
 */
import { join, resolve } from 'node:path';
import { envSchema, type ParsedEnv } from './env-schema.js';
import { presenceProblems, type RawEnv } from './rules.js';
import type { BackupConfig, Config, ConfigFor, LoadConfigResult, Need, SlackConfig, VaultConfig } from './types.js';
import { VARIABLES, type VariableName } from './variables.js';

export const DEFAULTS = {
  port: 3000,
  dataDir: './data',
  backupCron: '0 2 * * *',
  monthlyCron: '0 2 1 * *',
  restoreTestCron: '0 3 * * 1',
  healthCron: '* * * * *',
  retainDaily: 30,
  retainMonthly: 12,
  alertRemindMinutes: 15,
  alertAfterFailures: 2,
  latencyWarnMs: 100,
  pagerdutyEventsUrl: 'https://events.pagerduty.com/v2/enqueue',
  logLevel: 'info',
  drillCron: '0 4 1 1,4,7,10 *',
  rtoRestoreMinutes: 120,
  rtoRotationMinutes: 5,
  rtoAlertMinutes: 5,
  rekeyShares: 5,
  rekeyThreshold: 3,
} as const;

export function loadConfig<N extends Need = never>(env: RawEnv, needs: Iterable<N> = []): LoadConfigResult<N> {
  const needed = new Set<Need>(needs);
  const problems = new Map<VariableName, string>();
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path[0] as VariableName;
      if (!problems.has(name)) problems.set(name, issue.message);
    }
  }
  for (const [name, problem] of presenceProblems(env, needed)) {
    if (!problems.has(name)) problems.set(name, problem);
  }
  if (!parsed.success || problems.size > 0) {
    const order = Object.keys(VARIABLES);
    const lines = [...problems].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, line]) => line);
    return { ok: false, problems: lines };
  }

  const config = assemble(parsed.data);
  // presenceProblems guarantees every needed section is complete, so the narrowing below holds.
  return { ok: true, config: config as ConfigFor<N> };
}

function assemble(e: ParsedEnv): Omit<Config, Need> & Partial<Pick<Config, Need>> {
  const dataDir = resolve(e.DATA_DIR ?? DEFAULTS.dataDir);
  const slack = slackSection(e);
  const vault = vaultSection(e);
  const backup = backupSection(e, dataDir);
  return {
    ...(slack && { slack }),
    ...(vault && { vault }),
    ...(backup && { backup }),
    port: e.PORT ?? DEFAULTS.port,
    schedule: {
      backupCron: e.BACKUP_CRON ?? DEFAULTS.backupCron,
      monthlyCron: e.MONTHLY_CRON ?? DEFAULTS.monthlyCron,
      restoreTestCron: e.RESTORE_TEST_CRON ?? DEFAULTS.restoreTestCron,
      healthCron: e.HEALTH_CRON ?? DEFAULTS.healthCron,
    },
    dataDir,
    ...(e.AUDIT_KEY !== undefined && { auditKey: e.AUDIT_KEY }),
    alertRemindMinutes: e.ALERT_REMIND_MINUTES ?? DEFAULTS.alertRemindMinutes,
    alertAfterFailures: e.ALERT_AFTER_FAILURES ?? DEFAULTS.alertAfterFailures,
    latencyWarnMs: e.LATENCY_WARN_MS ?? DEFAULTS.latencyWarnMs,
    ...(e.PAGERDUTY_ROUTING_KEY !== undefined && {
      pagerduty: { routingKey: e.PAGERDUTY_ROUTING_KEY, eventsUrl: e.PAGERDUTY_EVENTS_URL ?? DEFAULTS.pagerdutyEventsUrl },
    }),
    logLevel: e.LOG_LEVEL ?? DEFAULTS.logLevel,
    drills: {
      cron: e.DRILL_CRON ?? DEFAULTS.drillCron,
      rtoRestoreMinutes: e.RTO_RESTORE_MINUTES ?? DEFAULTS.rtoRestoreMinutes,
      rtoRotationMinutes: e.RTO_ROTATION_MINUTES ?? DEFAULTS.rtoRotationMinutes,
      rtoAlertMinutes: e.RTO_ALERT_MINUTES ?? DEFAULTS.rtoAlertMinutes,
    },
    rotation: {
      rules: e.ROTATION_RULES ?? [],
      rekey: {
        shares: e.REKEY_SHARES ?? DEFAULTS.rekeyShares,
        threshold: e.REKEY_THRESHOLD ?? DEFAULTS.rekeyThreshold,
        ...(e.REKEY_PGP_KEYS !== undefined && { pgpKeys: e.REKEY_PGP_KEYS }),
      },
    },
  };
}

function slackSection(e: ParsedEnv): SlackConfig | undefined {
  const { SLACK_BOT_TOKEN: botToken, SLACK_OPS_CHANNEL: opsChannel } = e;
  const approvers = e.SLACK_APPROVERS ?? [];
  const reachable = e.SLACK_APP_TOKEN !== undefined || e.SLACK_SIGNING_SECRET !== undefined;
  if (botToken === undefined || opsChannel === undefined || !reachable) return undefined;
  if (approvers.length === 0 && e.SLACK_APPROVER_GROUP === undefined) return undefined;
  return {
    botToken,
    ...(e.SLACK_APP_TOKEN !== undefined && { appToken: e.SLACK_APP_TOKEN }),
    ...(e.SLACK_SIGNING_SECRET !== undefined && { signingSecret: e.SLACK_SIGNING_SECRET }),
    ...(e.SLACK_API_URL !== undefined && { apiUrl: e.SLACK_API_URL }),
    opsChannel,
    ...(e.SLACK_ONCALL_GROUP !== undefined && { oncallGroup: e.SLACK_ONCALL_GROUP }),
    approvers,
    ...(e.SLACK_APPROVER_GROUP !== undefined && { approverGroup: e.SLACK_APPROVER_GROUP }),
  };
}

function vaultSection(e: ParsedEnv): VaultConfig | undefined {
  const appRole =
    e.VAULT_ROLE_ID !== undefined && e.VAULT_SECRET_ID !== undefined
      ? { roleId: e.VAULT_ROLE_ID, secretId: e.VAULT_SECRET_ID }
      : undefined;
  if (e.VAULT_ADDR === undefined || (e.VAULT_TOKEN === undefined && appRole === undefined)) return undefined;
  return {
    addr: e.VAULT_ADDR,
    ...(e.VAULT_TOKEN !== undefined && { token: e.VAULT_TOKEN }),
    ...(appRole && { appRole }),
    ...(e.VAULT_NAMESPACE !== undefined && { namespace: e.VAULT_NAMESPACE }),
    ...(e.VAULT_CACERT !== undefined && { caCert: e.VAULT_CACERT }),
    ...(e.VAULT_STAGING_ADDR !== undefined &&
      e.VAULT_STAGING_TOKEN !== undefined && { staging: { addr: e.VAULT_STAGING_ADDR, token: e.VAULT_STAGING_TOKEN } }),
    ...(e.VAULT_CANARY_PATH !== undefined && { canaryPath: e.VAULT_CANARY_PATH }),
    ...(e.VAULT_NODE_ADDRS !== undefined && { nodeAddrs: e.VAULT_NODE_ADDRS }),
    ...(e.VAULT_CANARY_TOKEN !== undefined && { canaryToken: e.VAULT_CANARY_TOKEN }),
    ...(e.VAULT_RESTORE_TIMEOUT_SECONDS !== undefined && { restoreTimeoutSeconds: e.VAULT_RESTORE_TIMEOUT_SECONDS }),
  };
}

function backupSection(e: ParsedEnv, dataDir: string): BackupConfig | undefined {
  const keys = e.BACKUP_KEYS;
  const first = keys?.[0];
  if (keys === undefined || first === undefined) return undefined;
  return {
    store: e.BACKUP_STORE ?? join(dataDir, 'backups'),
    s3: {
      ...(e.S3_ENDPOINT !== undefined && { endpoint: e.S3_ENDPOINT }),
      ...(e.S3_REGION !== undefined && { region: e.S3_REGION }),
      forcePathStyle: e.S3_FORCE_PATH_STYLE ?? false,
    },
    keys,
    activeKeyId: e.BACKUP_ACTIVE_KEY ?? first.id,
    retainDaily: e.RETAIN_DAILY ?? DEFAULTS.retainDaily,
    retainMonthly: e.RETAIN_MONTHLY ?? DEFAULTS.retainMonthly,
  };
}
