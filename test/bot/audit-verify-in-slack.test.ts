/**
 * `/vault audit verify` checks the chain against the newest backup's audit-head (issue 7 item 11):
 * deleted newest rows are a broken chain, not "intact" with fewer rows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ephemeralTexts, startBotHarness, type BotHarness } from './bot-harness.js';

describe('/vault audit verify', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('reports deleted newest rows against the newest backup, even with its catalogue row gone', async () => {
    await h.slack.command({ userId: 'U0BOB', text: 'backup now' });
    await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 10_000);
    await h.slack.command({ userId: 'U0ALICE', text: 'audit verify' });
    expect(ephemeralTexts(h, 'U0ALICE').at(-1)).toMatch(/Audit chain intact/);

    const { audit_head: head } = h.db.prepare('SELECT audit_head FROM backups').get() as { audit_head: string };
    h.db.exec('DROP TRIGGER audit_log_no_delete');
    h.db.prepare('DELETE FROM audit_log WHERE id >= ?').run(Number(head.split(':')[0]));
    h.db.prepare('DELETE FROM backups').run();

    await h.slack.command({ userId: 'U0ALICE', text: 'audit verify' });
    const answer = ephemeralTexts(h, 'U0ALICE').at(-1) ?? '';
    expect(answer).toMatch(/Audit chain broken at row \d+: .*(the newest rows were deleted|rewritten)/);
    expect(answer).toContain('manual/');
  });
});
