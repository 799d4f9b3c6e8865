/**
 * A restore approved in Slack reports its snapshot download in the request's thread (issue 11
 * item 4): progress lines name the object and the share done, and come before the result. With
 * the default interval (5 s) a small restore says nothing but its result.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { requestMessage, startBotHarness, threadTexts, type BotHarness } from './bot-harness.js';

const MiB = 1024 * 1024;

async function restoreThroughSlack(h: BotHarness): Promise<{ key: string; thread: string[] }> {
  await h.slack.command({ userId: 'U0CAROL', text: 'backup now' });
  await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 10_000);
  const key = h.bot.backups.catalogue.newestVerified()?.key;
  if (!key) throw new Error('no backup was catalogued');
  await h.slack.command({ userId: 'U0ALICE', text: `restore ${key}` });
  const parent = requestMessage(h);
  await h.slack.clickButton({ userId: 'U0BOB', message: parent, actionId: 'approval_approve' });
  await h.slack.clickButton({ userId: 'U0CAROL', message: parent, actionId: 'approval_approve' });
  expect(h.vault.restores).toHaveLength(1);
  return { key, thread: threadTexts(h, parent) };
}

describe('restore progress in the request thread', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('posts download progress lines naming the object and the percentage before the result', async () => {
    h = await startBotHarness({ vault: { snapshotSize: 2 * MiB, gzipLevel: 0 }, launch: { restoreProgressIntervalMs: 1 } });
    const { key, thread } = await restoreThroughSlack(h);
    const progress = thread.filter((t) => t.includes('Downloading'));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(new RegExp(`Downloading ${key.replace(/[./]/g, '\\$&')}: [\\d.]+ (KiB|MiB) of [\\d.]+ MiB \\(\\d+ %\\), [\\d.]+ (B|KiB|MiB|GiB)/s`));
    const result = thread.findIndex((t) => t.includes(`Restored ${key} into production.`));
    expect(result).toBeGreaterThan(-1);
    expect(thread.findIndex((t) => t.includes('Downloading'))).toBeLessThan(result);
    expect(thread.findLastIndex((t) => t.includes('Downloading'))).toBeLessThan(result);
  });

  it('posts nothing but the result for a restore that finishes within the first interval', async () => {
    h = await startBotHarness();
    const { key, thread } = await restoreThroughSlack(h);
    expect(thread.some((t) => t.includes(`Restored ${key} into production.`))).toBe(true);
    expect(thread.some((t) => t.includes('Downloading'))).toBe(false);
  });
});
