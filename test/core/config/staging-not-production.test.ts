/**
 * VAULT_STAGING_ADDR must not name production: drills, restore tests and recoveries overwrite
 * staging, so a staging address equal to VAULT_ADDR or one of VAULT_NODE_ADDRS (however spelled)
 * is refused at start-up with one line.
 */
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/index.js';

const env = (over: Record<string, string>): Record<string, string> => ({
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_APP_TOKEN: 'xapp-1-A1-2-def',
  SLACK_OPS_CHANNEL: 'C0OPS',
  SLACK_APPROVERS: 'U0ANA,U0BOB',
  VAULT_ADDR: 'https://vault.example.com:8200',
  VAULT_TOKEN: 'hvs.root',
  BACKUP_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  VAULT_STAGING_TOKEN: 'hvs.staging',
  ...over,
});

const problems = (over: Record<string, string>): string[] => {
  const r = loadConfig(env(over), ['slack', 'vault', 'backup']);
  return r.ok ? [] : r.problems;
};

it.each([
  ['a trailing slash', 'https://vault.example.com:8200/'],
  ['upper case', 'HTTPS://VAULT.Example.com:8200'],
])('refuses a staging address that is VAULT_ADDR with %s', (_how, staging) => {
  expect(problems({ VAULT_STAGING_ADDR: staging })).toEqual([
    expect.stringMatching(/^VAULT_STAGING_ADDR \(.+\) is the production Vault \(https:\/\/vault\.example\.com:8200\); .*separate staging Vault/),
  ]);
});

it('refuses a staging address that is one of VAULT_NODE_ADDRS, the default port filled in', () => {
  const nodes = 'https://vault-0.example.com:8200,https://vault-1.example.com';
  expect(problems({ VAULT_NODE_ADDRS: nodes, VAULT_STAGING_ADDR: 'https://vault-1.example.com:443' })).toEqual([
    expect.stringContaining('is the production Vault (https://vault-1.example.com)'),
  ]);
});

it('accepts a separate staging Vault, even on the same host under another port', () => {
  expect(problems({ VAULT_STAGING_ADDR: 'https://vault-staging.example.com:8200' })).toEqual([]);
  expect(problems({ VAULT_STAGING_ADDR: 'https://vault.example.com:8300' })).toEqual([]);
});
