/**
 * What the ops channel sees from the backup engine through the Slack notifier: a quiet ✅ for a
 * good manual backup, and a page naming the on-call group, the failed step and the reason — and
 * never a secret — when Vault fails the snapshot.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ONCALL, OPS, ephemeralTexts, readable, SIGNING_SECRET, startBotHarness, type BotHarness } from './bot-harness.js';

describe('Slack notifier', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('posts a quiet ✅ with key, size and duration for /vault backup now, and tells the asker', async () => {
    await h.slack.command({ userId: 'U0BOB', text: 'backup now' });
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('Manual backup started');
    const call = await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 10_000);
    const text = readable(h, { text: String(call.args.text) });
    expect(text).toMatch(/^:white_check_mark: manual backup `manual\/2025-11-26\/vault-snapshot-20251126-02\d{4}\.enc` · \d+(\.\d)? KiB in \d/);
    expect(text).not.toContain('@');
    // Which store it went to, so a mistyped BACKUP_STORE shows in the first success line (issue 7).
    expect(text).toMatch(/ · stored in `file:\/\/\/.*`$/);
    await h.fake.waitForCall('response_url', (c) => String(c.args.text ?? '').includes('is stored and verified'));
  });

  it('pages the on-call group with the failed step and reason when Vault fails the snapshot', async () => {
    h.vault.faults = { failPaths: { 'sys/storage/raft/snapshot': { status: 500, message: 'raft: snapshot failed' } } };
    await h.slack.command({ userId: 'U0BOB', text: 'backup now' });
    // A failed backup pages through the alert lifecycle: one backup_failed incident per kind.
    const page = await h.fake.waitForCall('chat.postMessage', (c) => /backup failed/i.test(String(c.args.text ?? '')), 10_000);
    expect(String(page.args.text)).toContain(`<!subteam^${ONCALL}>`);
    const shown = h.fake.messages(OPS).map((m) => readable(h, m)).join('\n');
    expect(shown).toMatch(new RegExp(`@${ONCALL} :rotating_light: Backup failed \\(manual\\) · critical`));
    expect(shown).toContain('The manual backup failed at step snapshot: ');
    await h.fake.waitForCall('response_url', (c) => String(c.args.text ?? '').includes('The backup failed at snapshot'));

    // Nothing secret anywhere the bot sent to Slack.
    const sent = JSON.stringify(h.fake.calls.map((c) => c.args));
    for (const secret of [h.vault.rootToken, SIGNING_SECRET, h.config.backup.keys[0]?.key.toString('base64') ?? 'x', 'test-audit-key']) {
      expect(sent).not.toContain(secret);
    }
    expect(sent).not.toMatch(/\n\s+at /);
  });

  it('pages with @here when no on-call group is configured', async () => {
    await h.close();
    h = await startBotHarness({ env: { SLACK_ONCALL_GROUP: '' } });
    h.vault.faults = { failPaths: { 'sys/storage/raft/snapshot': { status: 500 } } };
    await h.slack.command({ userId: 'U0BOB', text: 'backup now' });
    const page = await h.fake.waitForCall('chat.postMessage', (c) => /backup failed/i.test(String(c.args.text ?? '')), 10_000);
    expect(String(page.args.text)).toMatch(/^<!here> /);
  });
});
