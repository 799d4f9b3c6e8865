import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/index.js';

const key32 = (fill: number) => Buffer.alloc(32, fill).toString('base64');

/** A complete, valid environment for `start` (Socket Mode). */
function fullEnv(): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
    SLACK_APP_TOKEN: 'xapp-1-A1-2-def',
    SLACK_OPS_CHANNEL: 'C0OPS',
    SLACK_APPROVERS: 'U0ANA, U0BOB,U0ANA',
    VAULT_ADDR: 'https://vault.example.com:8200',
    VAULT_TOKEN: 'hvs.root',
    BACKUP_KEYS: `k1:${key32(1)},k2:${key32(2)}`,
  };
}

function problemsOf(env: Record<string, string>, needs: ('slack' | 'vault' | 'backup')[] = ['slack', 'vault', 'backup']): string[] {
  const result = loadConfig(env, needs);
  if (result.ok) throw new Error('expected configuration problems');
  return result.problems;
}

describe('loadConfig', () => {
  it('lists every required variable, one line each, when the environment is empty', () => {
    const problems = problemsOf({});
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_OPS_CHANNEL', 'SLACK_APPROVERS', 'VAULT_ADDR', 'VAULT_TOKEN', 'BACKUP_KEYS',
    ]);
    expect(problems[0]).toBe(
      'SLACK_BOT_TOKEN is missing; set it to the bot token (OAuth & Permissions → Bot User OAuth Token), e.g. SLACK_BOT_TOKEN=xoxb-123-456-abc',
    );
    for (const line of problems) expect(line).toMatch(/missing.*e\.g\. [A-Z_]+=/);
  });

  it('needs nothing for migrate and audit, and fills every default', () => {
    const result = loadConfig({}, []);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toEqual({
      port: 3000,
      schedule: { backupCron: '0 2 * * *', monthlyCron: '0 2 1 * *', restoreTestCron: '0 3 * * 1', healthCron: '* * * * *' },
      dataDir: resolve('./data'),
      alertRemindMinutes: 15,
      alertAfterFailures: 2,
      latencyWarnMs: 100,
      logLevel: 'info',
      drills: { cron: '0 4 1 1,4,7,10 *', rtoRestoreMinutes: 120, rtoRotationMinutes: 5, rtoAlertMinutes: 5 },
      rotation: { rules: [], rekey: { shares: 5, threshold: 3 } },
    });
  });

  it('returns a typed configuration for a complete environment', () => {
    const result = loadConfig({ ...fullEnv(), DATA_DIR: '/srv/vc', RETAIN_DAILY: '7', LOG_LEVEL: 'DEBUG', VAULT_CANARY_PATH: '/secret/data/canary' }, ['slack', 'vault', 'backup']);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const { config } = result;
    expect(config.slack).toEqual({ botToken: 'xoxb-1-2-abc', appToken: 'xapp-1-A1-2-def', opsChannel: 'C0OPS', approvers: ['U0ANA', 'U0BOB'] });
    expect(config.vault).toEqual({ addr: 'https://vault.example.com:8200', token: 'hvs.root', canaryPath: 'secret/data/canary' });
    expect(config.backup.store).toBe('/srv/vc/backups');
    expect(config.backup.keys.map((k) => [k.id, k.key.length])).toEqual([['k1', 32], ['k2', 32]]);
    expect(config.backup.activeKeyId).toBe('k1');
    expect(config.backup.retainDaily).toBe(7);
    expect(config.backup.retainMonthly).toBe(12);
    expect(config.logLevel).toBe('debug');
  });

  it('includes a section that was not needed only when it is complete', () => {
    const result = loadConfig({ ...fullEnv(), SLACK_OPS_CHANNEL: '' }, ['vault', 'backup']);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.slack).toBeUndefined();
    expect(result.config.vault.addr).toBe('https://vault.example.com:8200');
  });

  describe('Slack', () => {
    it('requires the signing secret in HTTP mode only', () => {
      const { SLACK_APP_TOKEN: _, ...http } = fullEnv();
      expect(problemsOf(http)).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is missing \(HTTP mode, because SLACK_APP_TOKEN is unset\)/)]);
      const ok = loadConfig({ ...http, SLACK_SIGNING_SECRET: 'abc123' }, ['slack']);
      expect(ok.ok && ok.config.slack.signingSecret).toBe('abc123');
    });

    it('requires approvers or an approver group', () => {
      const { SLACK_APPROVERS: _, ...env } = fullEnv();
      expect(problemsOf(env, ['slack'])).toEqual([expect.stringMatching(/^SLACK_APPROVERS or SLACK_APPROVER_GROUP is missing/)]);
      const ok = loadConfig({ ...env, SLACK_APPROVER_GROUP: 'S0ADMINS' }, ['slack']);
      expect(ok.ok && ok.config.slack).toMatchObject({ approvers: [], approverGroup: 'S0ADMINS' });
    });

    it('refuses names where IDs are expected and tokens of the wrong kind', () => {
      const problems = problemsOf({ ...fullEnv(), SLACK_OPS_CHANNEL: '#ops', SLACK_APPROVERS: 'U0ANA,@bob', SLACK_APP_TOKEN: 'xoxb-oops' }, ['slack']);
      expect(problems).toEqual([
        expect.stringMatching(/^SLACK_APP_TOKEN does not look like an app-level token \(it should start with xapp-\)/),
        expect.stringMatching(/^SLACK_OPS_CHANNEL is not a channel ID \("#ops"\)/),
        expect.stringMatching(/^SLACK_APPROVERS holds entries that are not user IDs \("@bob"\)/),
      ]);
    });
  });

  describe('Vault', () => {
    it('accepts AppRole instead of a token, and names the missing half', () => {
      const { VAULT_TOKEN: _, ...env } = fullEnv();
      const ok = loadConfig({ ...env, VAULT_ROLE_ID: 'role', VAULT_SECRET_ID: 'sid' }, ['vault']);
      expect(ok.ok && ok.config.vault.appRole).toEqual({ roleId: 'role', secretId: 'sid' });
      expect(problemsOf({ ...env, VAULT_ROLE_ID: 'role' }, ['vault'])).toEqual([
        expect.stringMatching(/^VAULT_SECRET_ID is missing \(VAULT_ROLE_ID is set\)/),
      ]);
      expect(problemsOf(env, ['vault'])).toEqual([expect.stringMatching(/^VAULT_TOKEN \(or VAULT_ROLE_ID and VAULT_SECRET_ID\) is missing/)]);
    });

    it('requires addresses to be http(s) URLs', () => {
      expect(problemsOf({ ...fullEnv(), VAULT_ADDR: 'vault.internal:8200' }, ['vault'])).toEqual([
        'VAULT_ADDR must use http:// or https:// ("vault.internal:8200"); expected the production Vault address, e.g. VAULT_ADDR=https://vault.example.com:8200',
      ]);
      expect(problemsOf({ ...fullEnv(), SLACK_API_URL: 'not a url' }, [])).toEqual([expect.stringMatching(/^SLACK_API_URL is not a URL/)]);
    });

    it('checks the CA bundle is readable', () => {
      const dir = mkdtempSync(join(tmpdir(), 'vc-config-'));
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
      const ok = loadConfig({ ...fullEnv(), VAULT_CACERT: ca }, ['vault']);
      expect(ok.ok && ok.config.vault.caCert).toBe(ca);
      expect(problemsOf({ ...fullEnv(), VAULT_CACERT: join(dir, 'nope.pem') }, ['vault'])).toEqual([
        expect.stringMatching(/^VAULT_CACERT is not a readable file \(".*nope\.pem"\)/),
      ]);
      expect(problemsOf({ ...fullEnv(), VAULT_CACERT: dir }, ['vault'])).toEqual([expect.stringMatching(/^VAULT_CACERT is not a file/)]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('wants the staging address and token together', () => {
      expect(problemsOf({ ...fullEnv(), VAULT_STAGING_ADDR: 'http://staging:8200' }, [])).toEqual([
        expect.stringMatching(/^VAULT_STAGING_TOKEN is missing \(VAULT_STAGING_ADDR is set\)/),
      ]);
      const ok = loadConfig({ ...fullEnv(), VAULT_STAGING_ADDR: 'http://staging:8200', VAULT_STAGING_TOKEN: 'hvs.s' }, ['vault']);
      expect(ok.ok && ok.config.vault.staging).toEqual({ addr: 'http://staging:8200', token: 'hvs.s' });
    });
  });

  describe('backups', () => {
    it('wants each key to be exactly 32 bytes', () => {
      const short = Buffer.alloc(16, 7).toString('base64');
      expect(problemsOf({ ...fullEnv(), BACKUP_KEYS: `k1:${short}` }, ['backup'])).toEqual([
        'BACKUP_KEYS key "k1" is 16 bytes; expected 32 bytes (base64 of 32 random bytes: openssl rand -base64 32), e.g. BACKUP_KEYS=k1:$(openssl rand -base64 32)',
      ]);
    });

    it.each([
      [`k1:${key32(1)},k1:${key32(2)}`, /lists key id "k1" twice/],
      [`k1:not*base64`, /key "k1" is not base64/],
      [key32(1), /entry 1 has no id/],
      [`bad id:${key32(1)}`, /entry 1 has an invalid id/],
    ])('refuses the keyring %#', (keys, message) => {
      expect(problemsOf({ ...fullEnv(), BACKUP_KEYS: keys }, ['backup'])).toEqual([expect.stringMatching(message)]);
    });

    it('uses the first key unless BACKUP_ACTIVE_KEY names another one in the keyring', () => {
      const ok = loadConfig({ ...fullEnv(), BACKUP_ACTIVE_KEY: 'k2' }, ['backup']);
      expect(ok.ok && ok.config.backup.activeKeyId).toBe('k2');
      expect(problemsOf({ ...fullEnv(), BACKUP_ACTIVE_KEY: 'k3' }, ['backup'])).toEqual([
        expect.stringMatching(/^BACKUP_ACTIVE_KEY names "k3", which is not in BACKUP_KEYS; expected one of the ids in BACKUP_KEYS \(k1, k2\)/),
      ]);
    });

    it('keeps the store as given and checks its form', () => {
      const ok = loadConfig({ ...fullEnv(), BACKUP_STORE: 's3://my-backups/vault/prod', S3_FORCE_PATH_STYLE: 'yes', S3_ENDPOINT: 'http://minio:9000' }, ['backup']);
      expect(ok.ok && ok.config.backup).toMatchObject({ store: 's3://my-backups/vault/prod', s3: { endpoint: 'http://minio:9000', forcePathStyle: true } });
      expect(problemsOf({ ...fullEnv(), BACKUP_STORE: 's3://' }, ['backup'])).toEqual([expect.stringMatching(/^BACKUP_STORE does not name a valid S3 bucket/)]);
      expect(problemsOf({ ...fullEnv(), BACKUP_STORE: 'ftp://host/x' }, ['backup'])).toEqual([expect.stringMatching(/^BACKUP_STORE uses an unsupported scheme/)]);
      expect(problemsOf({ ...fullEnv(), S3_FORCE_PATH_STYLE: 'maybe' }, [])).toEqual([expect.stringMatching(/^S3_FORCE_PATH_STYLE is not a boolean/)]);
    });
  });

  it.each(['0', '-1', '1.5', 'abc', '70000'])('refuses PORT=%s as not a positive whole number', (port) => {
    expect(problemsOf({ PORT: port }, [])).toEqual([expect.stringMatching(/^PORT is not a whole number between 1 and 65535 .*e\.g\. PORT=3000$/)]);
  });

  it('validates schedules with cron syntax and counts as positive integers', () => {
    expect(problemsOf({ BACKUP_CRON: 'every day', RETAIN_MONTHLY: '0', ALERT_REMIND_MINUTES: 'soon', LOG_LEVEL: 'loud' }, [])).toEqual([
      expect.stringMatching(/^BACKUP_CRON is not a valid cron expression \("every day"\)/),
      expect.stringMatching(/^RETAIN_MONTHLY is not a whole number/),
      expect.stringMatching(/^ALERT_REMIND_MINUTES is not a whole number/),
      expect.stringMatching(/^LOG_LEVEL is not a log level/),
    ]);
    const ok = loadConfig({ HEALTH_CRON: '*/5 * * * *' }, []);
    expect(ok.ok && ok.config.schedule.healthCron).toBe('*/5 * * * *');
  });

  it('configures PagerDuty only with a routing key', () => {
    const ok = loadConfig({ PAGERDUTY_ROUTING_KEY: 'R0123' }, []);
    expect(ok.ok && ok.config.pagerduty).toEqual({ routingKey: 'R0123', eventsUrl: 'https://events.pagerduty.com/v2/enqueue' });
    expect(problemsOf({ PAGERDUTY_EVENTS_URL: 'http://pd.test/v2/enqueue' }, [])).toEqual([
      expect.stringMatching(/^PAGERDUTY_ROUTING_KEY is missing \(PAGERDUTY_EVENTS_URL is set\)/),
    ]);
  });

  it('never echoes a secret, even a malformed one', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xapp-SEKRIT1',
      SLACK_APP_TOKEN: 'xoxb-SEKRIT2',
      SLACK_SIGNING_SECRET: 'SEKRIT3',
      VAULT_SECRET_ID: 'SEKRIT4',
      VAULT_STAGING_TOKEN: 'SEKRIT5',
      BACKUP_KEYS: 'SEKRIT6SEKRIT6SEKRIT6',
      AUDIT_KEY: 'SEKRIT7',
      PAGERDUTY_ROUTING_KEY: 'SEKRIT8',
      VAULT_TOKEN: 'SEKRIT9',
    };
    const problems = problemsOf(env);
    expect(problems.length).toBeGreaterThanOrEqual(6);
    expect(problems.join('\n')).not.toMatch(/SEKRIT/);
    for (const keys of ['k1:SEKRITshort', `SEKRIT id:${key32(1)}`]) {
      expect(problemsOf({ BACKUP_KEYS: keys }, []).join('\n')).not.toMatch(/SEKRIT/);
    }
    // A key written before its id (key:id): the key is refused as an id and not quoted.
    const material = Buffer.alloc(32, 9).toString('base64url');
    const reversed = problemsOf({ BACKUP_KEYS: `${material}:k1` }, []).join('\n');
    expect(reversed).toMatch(/entry 1 has an invalid id/);
    expect(reversed).not.toContain(material);
  });

  it('reports one problem per variable', () => {
    const problems = problemsOf({ SLACK_OPS_CHANNEL: '#ops', VAULT_ADDR: 'nope', BACKUP_KEYS: 'x' });
    const names = problems.map((p) => p.split(' ')[0]);
    expect(new Set(names).size).toBe(names.length);
  });
});
