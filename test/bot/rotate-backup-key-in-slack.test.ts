/**
 * `/vault rotate backup-key` from Slack: refused while no backup needs it, then — after the
 * operator made a new key active — two approvals re-encrypt every backup under it, the thread
 * says which old keys can go, and the backups decrypt with the new key alone.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createDecryptStream } from '../../src/core/crypto/decrypt-stream.js';
import { keyringFromKeys } from '../../src/core/crypto/keyring.js';
import { encryptLegacy } from '../../src/core/crypto/legacy.js';
import { RunLease } from '../../src/core/backup/run-lease.js';
import { claimBackupKeyRotation } from '../../src/core/rotation/backup-key-claim.js';
import { discard } from '../../src/core/streams/discard.js';
import { leakedValues } from './rotation-helpers.js';
import { ephemeralTexts, parentText, requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

describe('rotate backup-key through Slack', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses while every backup is under the active key, then re-encrypts them all after two approvals', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    h = await startBotHarness({ env: { BACKUP_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`, BACKUP_ACTIVE_KEY: 'k1' } });
    expect((await h.bot.backups.backup('manual', 'U0CAROL')).ok).toBe(true);
    expect((await h.bot.backups.backup('manual', 'U0CAROL')).ok).toBe(true);
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate backup-key' });
    expect(ephemeralTexts(h, 'U0CAROL').at(-1)).toContain('already under the active key "k1"');

    // The operator makes k2 active and restarts the bot.
    h.config.backup.activeKeyId = 'k2';
    await h.restart();
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate backup-key' });
    const parent = requestMessage(h);
    expect(parentText(h, parent)).toMatch(/Backups to re-encrypt\s+2 \([\d.]+ KiB\): 2 under "k1"/);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    const thread = threadTexts(h, parent).join('\n');
    expect(thread).toMatch(/Re-encrypted 2 backups \([\d.]+ KiB\) under key "k2"; each was verified before it replaced the old one\./);
    expect(thread).toContain('no backup needs them any more: remove them from BACKUP_KEYS and restart');

    const newOnly = keyringFromKeys([{ id: 'k2', key: k2 }]);
    for (const row of h.bot.backups.catalogue.list({ limit: 10 })) {
      expect(row.keyId).toBe('k2');
      await pipeline(await h.bot.backups.store.get(row.key), createDecryptStream(newOnly), discard());
    }
    expect(h.bot.deps.audit.tail(100).filter((r) => r.event === 'rotation.backup_key.object')).toHaveLength(2);
    expect(leakedValues(h, [k1.toString('base64'), k2.toString('base64'), k1.toString('hex'), k2.toString('hex')])).toEqual([]);
  });

  it('refuses while a rotation from the CLI is running, and holds the store lease (so the CLI is refused) while its own runs', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    h = await startBotHarness({ env: { BACKUP_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`, BACKUP_ACTIVE_KEY: 'k2' } });
    h.config.backup.activeKeyId = 'k1';
    await h.restart();
    expect((await h.bot.backups.backup('manual', 'U0CAROL')).ok).toBe(true);
    h.config.backup.activeKeyId = 'k2';
    await h.restart();

    // The CLI in another process: its own lease, held, and the claim.
    const cli = new RunLease(h.db, { clock: h.clock.now });
    const releaseCli = cli.hold();
    const unclaimCli = claimBackupKeyRotation(h.db, cli, h.clock.now, 'dave', 'the CLI');
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate backup-key' });
    const parent = requestMessage(h);
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    expect(threadTexts(h, parent).join('\n')).toContain('A backup-key rotation is already running (started by dave from the CLI');
    for (const row of h.bot.backups.catalogue.list({ limit: 10 })) expect(row.keyId).toBe('k1');
    unclaimCli();
    releaseCli();

    // Slack's own run: while it re-encrypts, the CLI's claim is refused (the bot's lease is live).
    await h.slack.command({ userId: 'U0CAROL', text: 'rotate backup-key' });
    const second = requestMessage(h);
    let cliRefusal = '';
    const inner = h.bot.backups.store.get.bind(h.bot.backups.store);
    h.bot.backups.store.get = async (key: string) => {
      if (!cliRefusal) {
        try {
          claimBackupKeyRotation(h!.db, cli, h!.clock.now, 'dave', 'the CLI')();
          cliRefusal = 'not refused';
        } catch (error) {
          cliRefusal = (error as Error).message;
        }
      }
      return inner(key);
    };
    await h.slack.clickButton({ userId: 'U0ALICE', message: second, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: second, actionId: 'approval_approve' });
    expect(threadTexts(h, second).join('\n')).toMatch(/Re-encrypted 1 backup /);
    expect(cliRefusal).toContain('A backup-key rotation is already running (started by U0CAROL from Slack');
  });
  it('re-encrypts legacy-format backups too; one no key decrypts is named in the thread and keeps the old keys', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    h = await startBotHarness({ env: { BACKUP_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`, BACKUP_ACTIVE_KEY: 'k1' } });
    expect((await h.bot.backups.backup('manual', 'U0CAROL')).ok).toBe(true);
    const store = h.bot.backups.store;
    const readable = 'daily/2025-11-26/vault-snapshot-20251126-020000.enc';
    const lost = 'daily/2025-11-20/vault-snapshot-20251120-020000.enc';
    await store.put(readable, Readable.from([encryptLegacy(await h.vault.snapshotBytes(), k1)]), () => ({}));
    await store.put(lost, Readable.from([encryptLegacy(Buffer.from('under a key nobody has'), randomBytes(32))]), () => ({}));
    h.config.backup.activeKeyId = 'k2';
    await h.restart();

    await h.slack.command({ userId: 'U0CAROL', text: 'rotate backup-key' });
    const parent = requestMessage(h);
    expect(parentText(h, parent)).toMatch(/Backups to re-encrypt\s+3 \([\d.]+ KiB\): .*2 in the legacy format \(key found by trying each BACKUP_KEYS key\)/);
    expect(parentText(h, parent)).toContain('1 under "k1"');
    await h.slack.clickButton({ userId: 'U0ALICE', message: parent, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
    const thread = threadTexts(h, parent).join('\n');
    expect(thread).toMatch(/Re-encrypted 2 backups \([\d.]+ KiB\) under key "k2"/);
    expect(thread).toContain(`still needed by: 1 legacy-format backup no key in BACKUP_KEYS decrypts, left as they are (${lost})`);
    expect(thread).not.toContain('no backup needs them any more');

    const newOnly = keyringFromKeys([{ id: 'k2', key: k2 }]);
    await pipeline(await store.get(readable), createDecryptStream(newOnly), discard());
    expect((await store.stat(readable))?.metadata).toMatchObject({ 'format': 'vcbk1', 'key-id': 'k2' });
    expect(leakedValues(h, [k1.toString('base64'), k2.toString('base64'), k1.toString('hex'), k2.toString('hex')])).toEqual([]);
  });
});
