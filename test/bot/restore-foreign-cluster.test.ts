/**
 * Issue 7 item 12: a restore request whose backup came from another cluster says so prominently,
 * and, as Vault does, needs `force`; without it nothing is requested and the asker is told how.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupEngine } from '../../src/core/backup-engine.js';
import { silentNotifier } from '../../src/core/notifier.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultTestServer } from '../support/vault/types.js';
import { OPS, ephemeralTexts, parentText, requestMessage, startBotHarness, type BotHarness } from './bot-harness.js';

describe('restore of another cluster’s backup', () => {
  let h: BotHarness;
  let other: VaultTestServer;
  let key: string;
  beforeEach(async () => {
    h = await startBotHarness();
    // Another cluster backs up into the same store (e.g. a second region sharing a bucket).
    other = await startVaultServer({ snapshotSize: 16 * 1024 });
    const config = { ...h.config, vault: { addr: other.url, token: other.rootToken } };
    const engine = new BackupEngine({ config, db: h.db, audit: h.bot.deps.audit, logger: h.bot.deps.logger, notifier: silentNotifier, store: h.bot.backups.store });
    await engine.start();
    const made = await engine.backup('manual', 'other-region');
    engine.stop();
    if (!made.ok) throw new Error(`backup failed: ${made.error.userMessage}`);
    key = made.report.key;
  });
  afterEach(async () => {
    await h?.close();
    await other?.stop();
  });

  it('needs force, and then the request says prominently that the backup is from another cluster', async () => {
    await h.slack.command({ userId: 'U0ALICE', text: `restore ${key}` });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain(`${key} was taken from another cluster (`);
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toContain(`Nothing was requested. If that is really what you want, ask with force: /vault restore ${key} force`);
    expect(h.fake.messages(OPS).filter((m) => /requested by/.test(m.text))).toHaveLength(0);

    await h.slack.command({ userId: 'U0ALICE', text: `restore ${key} force` });
    const shown = parentText(h, requestMessage(h));
    // The warning comes right under the title, before the ordinary facts.
    expect(shown).toMatch(/Restore requested by @U0ALICE · `req_[0-9a-f]+`\n:warning: Source cluster: ANOTHER cluster than the target/);
    expect(shown).toContain('Mode\nforce (snapshot from another cluster)');
  });
});
