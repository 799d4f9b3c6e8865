/**
 * `/vault report` uploads the compliance report as a Markdown file to the ops channel through
 * Slack's current upload flow (files.getUploadURLExternal, a POST of the bytes to the upload URL,
 * files.completeUploadExternal), and tells the asker privately where it went.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OPS, ephemeralTexts, startBotHarness, type BotHarness } from './bot-harness.js';

describe('compliance report through Slack', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('uploads the report for the last 30 days as a file in the ops channel', async () => {
    h = await startBotHarness();
    await h.slack.command({ userId: 'U0ALICE', text: 'backup now' });
    await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 10_000);

    await h.slack.command({ userId: 'U0BOB', text: 'report' });

    const files = h.fake.files();
    expect(files).toHaveLength(1);
    const file = files[0];
    expect(file?.name).toBe('vault-compliance-2025-10-28-to-2025-11-26.md');
    expect(file?.title).toBe('Vault compliance report 2025-10-28 – 2025-11-26');
    expect(file?.completed).toBe(true);
    expect(file?.channels).toEqual([OPS]);
    const content = file?.content?.toString('utf8') ?? '';
    expect(content).toContain('# Vault compliance report 2025-10-28 – 2025-11-26');
    expect(content).toContain('- Chain: **verifies**');
    expect(content).toContain('- Taken: 1 · verified: 1 · failed: 0');
    // The upload used the documented calls, in order, with the declared length.
    const started = h.fake.callsTo('files.getUploadURLExternal')[0];
    expect(started?.args).toMatchObject({ filename: file?.name, length: String(Buffer.byteLength(content)) });
    expect(h.fake.callsTo('file_upload')[0]?.status).toBe(200);
    const completed = h.fake.callsTo('files.completeUploadExternal')[0];
    expect(completed?.args.channel_id).toBe(OPS);
    expect(JSON.parse(String(completed?.args.files))).toEqual([{ id: file?.id, title: file?.title }]);
    const shared = h.fake.messages(OPS).find((m) => m.files?.some((f) => f.id === file?.id));
    expect(shared?.text).toBe('Vault compliance report 2025-10-28 – 2025-11-26');
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toMatch(/The compliance report for 2025-10-28 to 2025-11-26 \(vault-compliance-2025-10-28-to-2025-11-26\.md\) is uploaded to #C0VAULTOPS; the audit chain verifies\./);
    expect(h.bot.deps.audit.tail(5).map((r) => r.event)).toContain('report.generated');
  });

  it('answers a bad date privately and uploads nothing', async () => {
    h = await startBotHarness();
    await h.slack.command({ userId: 'U0BOB', text: 'report 2025-11-31' });
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('"2025-11-31" is not a date');
    expect(ephemeralTexts(h, 'U0BOB').at(-1)).toContain('/vault report [YYYY-MM-DD [YYYY-MM-DD]]');
    expect(h.fake.files()).toHaveLength(0);
  });
});
