/**
 * Every restore request shows the recovery time to plan with: "no measurement yet" before any
 * restore was measured, then the median of measured restores of a similar size; the estimate shown
 * and the time the restore then took are both recorded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parentText, requestMessage, startBotHarness, type BotHarness } from './bot-harness.js';

describe('expected recovery time on restore requests', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('says "no measurement yet", then estimates from the measured restore, and records estimate and actual', async () => {
    h = await startBotHarness();
    await h.slack.command({ userId: 'U0ALICE', text: 'backup now' });
    await h.fake.waitForCall('chat.postMessage', (c) => String(c.args.text ?? '').includes('manual backup'), 10_000);

    await h.slack.command({ userId: 'U0ALICE', text: 'restore latest' });
    const first = requestMessage(h);
    expect(parentText(h, first)).toContain('Expected recovery time\nno measurement yet');
    await h.slack.clickButton({ userId: 'U0BOB', message: first, actionId: 'approval_approve' });
    await h.slack.clickButton({ userId: 'U0CAROL', message: first, actionId: 'approval_approve' });
    expect(h.vault.restores).toHaveLength(1);

    const recorded = h.db.prepare('SELECT request_id, estimate_ms, basis, actual_ms, size_bytes FROM recovery_estimates').all() as Array<Record<string, unknown>>;
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ estimate_ms: null, basis: 'no measurement yet' });
    expect(recorded[0]?.actual_ms).toEqual(expect.any(Number));
    const measured = (h.db.prepare(`SELECT recovery_ms FROM restores WHERE purpose = 'restore' AND status = 'succeeded'`).get() as { recovery_ms: number }).recovery_ms;
    expect(recorded[0]?.actual_ms).toBe(measured);

    await h.slack.command({ userId: 'U0ALICE', text: 'restore latest' });
    const second = requestMessage(h);
    expect(second.ts).not.toBe(first.ts);
    const shown = parentText(h, second);
    expect(shown).toMatch(/Expected recovery time\n~[\d.]+ (ms|s) \(median of 1 measured restore of similar size\)/);
  });
});
