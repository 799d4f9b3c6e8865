/** Every `/vault` form, and every mistake answered with what was wrong and the right form. */
import { describe, expect, it } from 'vitest';
import { parseVaultCommand, USAGE } from '../../src/handlers/parse-command.js';

describe('parseVaultCommand', () => {
  it.each([
    ['', { name: 'help' }],
    ['help', { name: 'help' }],
    ['  STATUS ', { name: 'status' }],
    ['backups', { name: 'backups', limit: 10 }],
    ['backups monthly 3', { name: 'backups', kind: 'monthly', limit: 3 }],
    ['backups 5 daily', { name: 'backups', kind: 'daily', limit: 5 }],
    ['backup now', { name: 'backup-now' }],
    ['backup now before the upgrade', { name: 'backup-now', reason: 'before the upgrade' }],
    ['restore', { name: 'restore', target: 'prod' }],
    ['restore 2025-11-26', { name: 'restore', spec: '2025-11-26', target: 'prod' }],
    ['restore latest staging', { name: 'restore', spec: 'latest', target: 'staging' }],
    ['restore latest prod', { name: 'restore', spec: 'latest', target: 'prod' }],
    ['restore 2025-11-26 Production', { name: 'restore', spec: '2025-11-26', target: 'prod' }],
    ['restore daily/2025-11-26/vault-snapshot-20251126-020000.enc', { name: 'restore', spec: 'daily/2025-11-26/vault-snapshot-20251126-020000.enc', target: 'prod' }],
    ['seal', { name: 'seal' }],
    ['seal <!channel> leaked & rotated', { name: 'seal', reason: '<!channel> leaked & rotated' }],
    ['approvals', { name: 'approvals' }],
    ['audit', { name: 'audit', limit: 10 }],
    ['audit 25', { name: 'audit', limit: 25 }],
    ['audit verify', { name: 'audit-verify' }],
  ])('%j', (text, expected) => {
    expect(parseVaultCommand(text)).toEqual(expected);
  });

  it.each([
    ['rotate secret secret/app/smtp', { name: 'rotate-secret', path: 'secret/app/smtp' }],
    ['ROTATE Backup-Key', { name: 'rotate-backup-key' }],
    ['rotate unseal-keys', { name: 'rotate-unseal-keys' }],
    ['unseal-status', { name: 'unseal-status' }],
  ])('%j parses as a rotation command', (text, expected) => {
    expect(parseVaultCommand(text)).toEqual(expected);
  });

  it.each([
    ['frobnicate', '"frobnicate" is not a /vault command.', USAGE.restore],
    ['backup', '`backup` needs `now`.', USAGE.backupNow],
    ['backup later', '"later" is not a backup action.', USAGE.backupNow],
    ['backups weekly', '"weekly" is not a kind (daily, monthly, manual) or a count.', USAGE.backups],
    ['backups 0', '0 is out of range; N must be 1 to 50.', USAGE.backups],
    ['backups 51', '51 is out of range; N must be 1 to 50.', USAGE.backups],
    ['restore latest live', '"live" is not a restore target; add "staging", or "prod" (the default, also "production").', USAGE.restore],
    ['restore latest staging now', '"staging now" is not a restore target; add "staging", or "prod" (the default, also "production").', USAGE.restore],
    ['status please', '`status` takes no arguments (got "please").', '/vault status'],
    ['audit last', '"last" is not a count or "verify".', USAGE.audit],
    ['audit 500', '500 is out of range; N must be 1 to 50.', USAGE.audit],
    ['rotate', '`rotate` needs what to rotate: `secret <kv-path>`, `backup-key` or `unseal-keys`.', USAGE.rotate],
    ['rotate secret', '`rotate secret` needs the secret’s path, e.g. `secret/app/smtp`.', USAGE.rotate],
    ['rotate secret a/b c/d', '"a/b c/d" is more than one path; rotate one secret at a time.', USAGE.rotate],
    ['rotate everything', '"everything" is not something the bot rotates; it rotates a secret, the backup key or the unseal keys.', USAGE.rotate],
    ['rotate backup-key now', '`rotate backup-key` takes no arguments (got "now").', USAGE.rotate],
    ['unseal-status all', '`unseal-status` takes no arguments (got "all").', USAGE.unsealStatus],
  ])('%j is refused with what was wrong and the form', (text, problem, form) => {
    const parsed = parseVaultCommand(text);
    expect(parsed).toMatchObject({ name: 'usage', problem });
    expect(parsed.name === 'usage' && parsed.usage).toContain(form);
  });
});
