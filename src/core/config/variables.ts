/**
 * @module config/variables
 * The catalogue of environment variables (DESIGN §3): what each one is for and a good example,
 * so every problem line can say what was expected and show a value that works. Secrets are flagged
 * here; their values never reach a message.
 */

export interface VariableInfo {
  /** Completes "set it to …". */
  what: string;
  example: string;
  secret?: boolean;
}

export const VARIABLES = {
  SLACK_BOT_TOKEN: { what: 'the bot token (OAuth & Permissions → Bot User OAuth Token)', example: 'xoxb-123-456-abc', secret: true },
  SLACK_APP_TOKEN: { what: 'an app-level token with connections:write (Basic Information → App-Level Tokens)', example: 'xapp-1-A123-456-abc', secret: true },
  SLACK_SIGNING_SECRET: { what: 'the signing secret (Basic Information → App Credentials), or set SLACK_APP_TOKEN for Socket Mode', example: '8f14e45fceea167a5a36dedd4bea2543', secret: true },
  SLACK_API_URL: { what: 'the Slack Web API base URL', example: 'https://slack.com/api/' },
  PORT: { what: 'the HTTP port for Slack events, /healthz and /metrics', example: '3000' },
  SLACK_OPS_CHANNEL: { what: 'the ops channel ID (channel details, at the bottom)', example: 'C0123456789' },
  SLACK_ONCALL_GROUP: { what: 'the on-call user group ID', example: 'S0123456789' },
  SLACK_APPROVERS: { what: 'comma-separated user IDs allowed to request and approve', example: 'U0123456789,U0987654321' },
  SLACK_APPROVER_GROUP: { what: 'the user group ID whose members may request and approve', example: 'S0123456789' },
  VAULT_ADDR: { what: 'the production Vault address', example: 'https://vault.example.com:8200' },
  VAULT_TOKEN: { what: 'a Vault token allowed to take and restore snapshots', example: 'hvs.CAESIJ…', secret: true },
  VAULT_ROLE_ID: { what: 'the AppRole role ID', example: '675a50e7-cfe0-be76-e35f-49ec009731ea' },
  VAULT_SECRET_ID: { what: 'the AppRole secret ID', example: 'ed0a642f-2acf-c2da-232f-1b21300d5f29', secret: true },
  VAULT_NAMESPACE: { what: 'the Vault namespace', example: 'admin/platform' },
  VAULT_CACERT: { what: 'the path of a readable PEM CA bundle', example: '/etc/ssl/certs/vault-ca.pem' },
  VAULT_STAGING_ADDR: { what: 'the staging Vault address', example: 'https://vault-staging.example.com:8200' },
  VAULT_STAGING_TOKEN: { what: 'a staging Vault token', example: 'hvs.CAESIK…', secret: true },
  VAULT_NODE_ADDRS: { what: 'comma-separated API addresses of every Vault node, so an emergency seal can seal each one', example: 'https://vault-0.example.com:8200,https://vault-1.example.com:8200,https://vault-2.example.com:8200' },
  VAULT_CANARY_PATH: { what: 'a secret path read after every restore', example: 'secret/data/canary' },
  VAULT_CANARY_TOKEN: { what: 'a production token allowed only to read VAULT_CANARY_PATH', example: 'hvs.CAESIC…', secret: true },
  VAULT_RESTORE_TIMEOUT_SECONDS: { what: 'seconds to wait for Vault to answer a restore upload (it answers after installing the snapshot)', example: '3600' },
  BACKUP_STORE: { what: 's3://bucket/optional/prefix, file:///abs/path, or a folder path', example: 's3://my-backups/vault' },
  S3_ENDPOINT: { what: 'the S3-compatible endpoint URL', example: 'http://minio:9000' },
  S3_REGION: { what: 'the S3 region', example: 'eu-west-1' },
  S3_FORCE_PATH_STYLE: { what: 'true or false', example: 'true' },
  BACKUP_KEYS: { what: 'a keyring of id:base64 entries, each 32 random bytes', example: 'k1:$(openssl rand -base64 32)', secret: true },
  BACKUP_ACTIVE_KEY: { what: 'the id of the BACKUP_KEYS entry used for new backups', example: 'k1' },
  DATA_DIR: { what: 'a writable folder for the SQLite database', example: '/data' },
  BACKUP_CRON: { what: 'a cron expression in UTC', example: '0 2 * * *' },
  MONTHLY_CRON: { what: 'a cron expression in UTC', example: '0 2 1 * *' },
  RESTORE_TEST_CRON: { what: 'a cron expression in UTC', example: '0 3 * * 1' },
  HEALTH_CRON: { what: 'a cron expression in UTC', example: '* * * * *' },
  RETAIN_DAILY: { what: 'how many days of daily backups to keep', example: '30' },
  RETAIN_MONTHLY: { what: 'how many months of monthly backups to keep', example: '12' },
  AUDIT_KEY: { what: 'an HMAC key for the audit chain, at least 16 characters', example: '$(openssl rand -base64 32)', secret: true },
  ALERT_REMIND_MINUTES: { what: 'minutes between reminders for unacknowledged critical alerts', example: '15' },
  ALERT_AFTER_FAILURES: { what: 'how many consecutive failed health rounds fire an alert (a sealed Vault fires at once)', example: '2' },
  LATENCY_WARN_MS: { what: 'the Vault request latency in milliseconds above which the latency check fails', example: '100' },
  PAGERDUTY_ROUTING_KEY: { what: 'a PagerDuty Events API v2 integration key', example: 'R0123456789ABCDEF0123456789ABCDEF', secret: true },
  PAGERDUTY_EVENTS_URL: { what: 'the PagerDuty Events API v2 URL', example: 'https://events.pagerduty.com/v2/enqueue' },
  DRILL_CRON: { what: 'a cron expression in UTC for the scheduled restore-test and backup-integrity drills', example: '0 4 1 1,4,7,10 *' },
  RTO_RESTORE_MINUTES: { what: 'the restore drill target in minutes', example: '120' },
  RTO_ROTATION_MINUTES: { what: 'the rotation drill target in minutes', example: '5' },
  RTO_ALERT_MINUTES: { what: 'the seal drill target (minutes until the alert) in minutes', example: '5' },
  ROTATION_RULES: { what: 'the path of a JSON file of rotation rules (docs/ROTATION.md)', example: '/etc/vault-chatops/rotation-rules.json' },
  REKEY_SHARES: { what: 'how many new unseal-key shares a rekey makes (1 to 255)', example: '5' },
  REKEY_THRESHOLD: { what: 'how many of the new shares unseal Vault (at most REKEY_SHARES; more than 1 when there are several shares)', example: '3' },
  REKEY_PGP_KEYS: { what: 'comma-separated PGP public-key files, one per new share, to encrypt the shares', example: '/keys/ana.asc,/keys/ben.asc,/keys/cy.asc,/keys/di.asc,/keys/ed.asc' },
  LOG_LEVEL: { what: 'one of fatal, error, warn, info, debug, trace, silent', example: 'info' },
} as const satisfies Record<string, VariableInfo>;

export type VariableName = keyof typeof VARIABLES;

function example(name: VariableName): string {
  return `e.g. ${name}=${VARIABLES[name].example}`;
}

/** `NAME is missing [(because …)]; set it to …, e.g. NAME=…` */
export function missingProblem(name: VariableName, because?: string): string {
  const why = because === undefined ? '' : ` (${because})`;
  return `${name} is missing${why}; set it to ${VARIABLES[name].what}, ${example(name)}`;
}

/**
 * `NAME <what was wrong>; expected …, e.g. NAME=…`. `wrong` must never contain a secret's value;
 * callers quote the value only for variables that are not secret.
 */
export function invalidProblem(name: VariableName, wrong: string, expected: string = VARIABLES[name].what): string {
  return `${name} ${wrong}; expected ${expected}, ${example(name)}`;
}

/** The value in quotes for ordinary variables, nothing for secrets. */
export function quoted(name: VariableName, value: string): string {
  const info: VariableInfo = VARIABLES[name];
  return info.secret ? '' : ` ("${value.length > 80 ? `${value.slice(0, 77)}...` : value}")`;
}
