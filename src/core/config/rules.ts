/**
 * @module config/rules
 * Presence rules: which variables a command needs, and the ones that depend on each other
 * (HTTP mode needs a signing secret, AppRole needs both halves…). They look only at which
 * variables are set, so they report alongside format problems in the same run.
 */
import { keyringIds } from './keyring.js';
import type { Need } from './types.js';
import { invalidProblem, missingProblem, type VariableName } from './variables.js';

export type RawEnv = Readonly<Record<string, string | undefined>>;

/** The value trimmed, or undefined when unset or blank (the same reading as the schema's). */
export function setting(env: RawEnv, name: VariableName): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Problems keyed by the variable they are about. */
export function presenceProblems(env: RawEnv, needs: ReadonlySet<Need>): Map<VariableName, string> {
  const problems = new Map<VariableName, string>();
  const has = (name: VariableName) => setting(env, name) !== undefined;
  const expect = (name: VariableName, because?: string) => {
    if (!has(name)) problems.set(name, missingProblem(name, because));
  };

  if (needs.has('slack')) {
    expect('SLACK_BOT_TOKEN');
    expect('SLACK_OPS_CHANNEL');
    if (!has('SLACK_APP_TOKEN')) expect('SLACK_SIGNING_SECRET', 'HTTP mode, because SLACK_APP_TOKEN is unset');
    if (!has('SLACK_APPROVERS') && !has('SLACK_APPROVER_GROUP')) {
      problems.set(
        'SLACK_APPROVERS',
        'SLACK_APPROVERS or SLACK_APPROVER_GROUP is missing; set one to say who may request and approve, ' +
          'e.g. SLACK_APPROVERS=U0123456789,U0987654321 or SLACK_APPROVER_GROUP=S0123456789',
      );
    }
  }

  if (needs.has('vault')) {
    expect('VAULT_ADDR');
    if (!has('VAULT_TOKEN') && !has('VAULT_ROLE_ID') && !has('VAULT_SECRET_ID')) {
      problems.set(
        'VAULT_TOKEN',
        'VAULT_TOKEN (or VAULT_ROLE_ID and VAULT_SECRET_ID) is missing; set a Vault token, e.g. VAULT_TOKEN=hvs.CAESIJ…, ' +
          'or AppRole credentials, e.g. VAULT_ROLE_ID=675a50e7-… and VAULT_SECRET_ID=ed0a642f-…',
      );
    }
  }
  if (needs.has('backup')) expect('BACKUP_KEYS');

  // Half of a pair is always a mistake, whatever the command.
  if (has('VAULT_ROLE_ID')) expect('VAULT_SECRET_ID', 'VAULT_ROLE_ID is set');
  if (has('VAULT_SECRET_ID')) expect('VAULT_ROLE_ID', 'VAULT_SECRET_ID is set');
  if (has('VAULT_STAGING_ADDR')) expect('VAULT_STAGING_TOKEN', 'VAULT_STAGING_ADDR is set');
  if (has('VAULT_STAGING_TOKEN')) expect('VAULT_STAGING_ADDR', 'VAULT_STAGING_TOKEN is set');
  if (has('PAGERDUTY_EVENTS_URL')) expect('PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL is set');

  for (const [name, problem] of rekeyProblems(env)) problems.set(name, problem);
  const staging = stagingIsProduction(env);
  if (staging) problems.set('VAULT_STAGING_ADDR', staging);

  const active = setting(env, 'BACKUP_ACTIVE_KEY');
  const ids = keyringIds(setting(env, 'BACKUP_KEYS'));
  if (active !== undefined && ids !== undefined && !ids.includes(active)) {
    problems.set(
      'BACKUP_ACTIVE_KEY',
      invalidProblem('BACKUP_ACTIVE_KEY', `names "${active}", which is not in BACKUP_KEYS`, `one of the ids in BACKUP_KEYS (${ids.join(', ')})`),
    );
  }
  return problems;
}

/**
 * VAULT_STAGING_ADDR naming production (VAULT_ADDR or a VAULT_NODE_ADDRS node) would let drills,
 * restore tests and recoveries overwrite production. Compared by host and port (the scheme's
 * default port when none is given), so a trailing slash or upper case does not hide it.
 */
function stagingIsProduction(env: RawEnv): string | undefined {
  const staging = setting(env, 'VAULT_STAGING_ADDR');
  const id = staging === undefined ? undefined : vaultEndpoint(staging);
  if (id === undefined) return undefined;
  const production = [setting(env, 'VAULT_ADDR'), ...(setting(env, 'VAULT_NODE_ADDRS') ?? '').split(',')];
  const same = production.find((addr) => addr !== undefined && addr.trim() !== '' && vaultEndpoint(addr.trim()) === id);
  if (same === undefined) return undefined;
  return `VAULT_STAGING_ADDR (${staging}) is the production Vault (${same.trim()}); drills and restore tests would overwrite production, so set it to a separate staging Vault, e.g. https://vault-staging.example.com:8200`;
}

/** `host:port` of an http(s) address, lower case, the scheme's default port filled in; undefined when unparsable. */
function vaultEndpoint(address: string): string | undefined {
  try {
    const url = new URL(address);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return `${url.hostname.toLowerCase().replace(/\.$/, '')}:${port}`;
  } catch {
    return undefined;
  }
}

/** REKEY_*: Vault's own seal-configuration rules, checked at start-up instead of when a rekey starts. */
function rekeyProblems(env: RawEnv): Map<VariableName, string> {
  const out = new Map<VariableName, string>();
  const int = (name: VariableName, fallback: number) => {
    const v = setting(env, name);
    return v === undefined ? fallback : /^\d+$/.test(v) ? Number(v) : Number.NaN;
  };
  const shares = int('REKEY_SHARES', 5);
  const threshold = int('REKEY_THRESHOLD', 3);
  if (Number.isNaN(shares) || Number.isNaN(threshold)) return out;
  if (threshold > shares) {
    out.set('REKEY_THRESHOLD', invalidProblem('REKEY_THRESHOLD', `is ${threshold}, more than REKEY_SHARES (${shares})`, `at most REKEY_SHARES`));
  } else if (shares > 1 && threshold < 2) {
    out.set('REKEY_THRESHOLD', invalidProblem('REKEY_THRESHOLD', `is ${threshold} with ${shares} shares`, 'at least 2 when there are several shares (Vault refuses 1 of many)'));
  }
  const pgp = setting(env, 'REKEY_PGP_KEYS');
  const files = pgp === undefined ? 0 : pgp.split(',').filter((f) => f.trim() !== '').length;
  if (pgp !== undefined && files !== shares) {
    out.set('REKEY_PGP_KEYS', invalidProblem('REKEY_PGP_KEYS', `lists ${files} key file${files === 1 ? '' : 's'} for ${shares} shares`, 'exactly one PGP key file per share (REKEY_SHARES)'));
  }
  return out;
}
