import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, output: () => lines.join('') };
}

describe('createLogger', () => {
  it('censors tokens, secrets, keys and credential headers at any depth', () => {
    const { logger, output } = capture();
    logger.info(
      {
        token: 'S01-token',
        config: {
          slack: { botToken: 'xoxb-S02', appToken: 'xapp-S03', signingSecret: 'S04-signing' },
          vault: { token: 'hvs.S05', appRole: { roleId: 'role-visible', secretId: 'S06-secret-id' } },
          backup: { keys: [{ id: 'k1', key: Buffer.from('S07-key-material') }], store: 's3://bucket/visible' },
          auditKey: 'S08-audit-key',
          pagerduty: { routingKey: 'S09-routing' },
        },
        req: { headers: { 'x-vault-token': 'hvs.S10', authorization: 'Bearer S11', accept: 'application/json' } },
        request: { options: { headers: { 'X-Vault-Token': 'hvs.S12', Authorization: 'Bearer S13' } } },
        response: { data: { root_token: 'hvs.S14', unseal_keys_b64: ['S15a', 'S15b'], keys_base64: ['S16'] } },
        init: { recovery_keys_b64: ['S17'] },
        user: { password: 'S18-password' },
        aws: { credentials: { accessKeyId: 'AKIA-S19', secretAccessKey: 'S20' } },
        env: { SLACK_BOT_TOKEN: 'xoxb-S21', BACKUP_KEYS: 'k1:S22', AUDIT_KEY: 'S23' },
        key: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc',
      },
      'something with secrets around',
    );
    const out = output();
    expect(out).not.toMatch(/S\d\d/);
    expect(out).toContain('[redacted]');
    // Ordinary fields stay readable: an object key is not a secret key.
    expect(out).toContain('daily/2025-11-26/vault-snapshot-20251126-020000.enc');
    expect(out).toContain('role-visible');
    expect(out).toContain('s3://bucket/visible');
    expect(out).toContain('application/json');
    expect(out).toContain('something with secrets around');
  });

  it('censors secrets in child logger bindings too', () => {
    const { logger, output } = capture();
    logger.child({ vault: { token: 'hvs.CHILD-SECRET' }, job: 'backup' }).warn('step failed');
    expect(output()).not.toContain('CHILD-SECRET');
    expect(output()).toContain('"job":"backup"');
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    logger.info('quiet');
    logger.error('loud');
    expect(lines.join('')).not.toContain('quiet');
    expect(lines.join('')).toContain('loud');
  });
});
