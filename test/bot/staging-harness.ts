/**
 * @module test/bot/staging-harness
 * The bot harness plus a second Vault test server as staging (VAULT_STAGING_ADDR/TOKEN), for the
 * recovery and drill tests, with clean-up registered in the calling file; and a manual backup taken
 * through Slack.
 */
import { afterEach } from 'vitest';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultServerOptions, VaultTestServer } from '../support/vault/types.js';
import { startBotHarness, type BotHarness, type HarnessOptions } from './bot-harness.js';

export interface WithStaging {
  h: BotHarness;
  staging: VaultTestServer;
}

/** `start()` launches the bot with staging; `startWithout()` without it. Both are stopped after each test. */
export function useStagingHarness() {
  let bot: BotHarness | undefined;
  let staging: VaultTestServer | undefined;
  afterEach(async () => {
    await bot?.close();
    await staging?.stop();
    bot = undefined;
    staging = undefined;
  });
  return {
    async start(o: HarnessOptions & { stagingOptions?: VaultServerOptions } = {}): Promise<WithStaging> {
      staging = await startVaultServer({ snapshotSize: 32 * 1024, ...o.stagingOptions });
      bot = await startBotHarness({ ...o, env: { VAULT_STAGING_ADDR: staging.url, VAULT_STAGING_TOKEN: staging.rootToken, ...o.env } });
      return { h: bot, staging };
    },
    async startWithout(o: HarnessOptions = {}): Promise<BotHarness> {
      bot = await startBotHarness(o);
      return bot;
    },
  };
}

/** `/vault backup now` by an approver; resolves with the new backup's key once it is announced. */
export async function backupNow(h: BotHarness): Promise<string> {
  const before = h.bot.backups.catalogue.newestVerified()?.key;
  await h.slack.command({ userId: 'U0ALICE', text: 'backup now' });
  await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup') && (before === undefined || !String(c.args.text).includes(before)), 10_000);
  const entry = h.bot.backups.catalogue.newestVerified();
  if (!entry || entry.key === before) throw new Error('no new backup was catalogued');
  return entry.key;
}
