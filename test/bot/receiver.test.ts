/**
 * The HTTP edge: Slack's signature is required (401 and nothing happens otherwise), `/vault help`
 * is acknowledged well inside Slack's 3 s, and `/healthz` and `/metrics` answer beside Bolt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK_DEADLINE_MS } from '../support/slack/index.js';
import { ephemeralTexts, startBotHarness, type BotHarness } from './bot-harness.js';

describe('the bot’s HTTP receiver', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['unsigned', () => h.slack.sendUnsigned({ userId: 'U0ALICE', text: 'seal' })],
    ['stale', () => h.slack.sendStale({ userId: 'U0ALICE', text: 'seal' })],
    ['wrongly signed', () => h.slack.sendWrongSecret({ userId: 'U0ALICE', text: 'seal' })],
  ])('answers a %s request 401 and changes nothing', async (_name, send) => {
    const callsBefore = h.fake.calls.length;
    const auditBefore = h.bot.deps.audit.head().id;
    expect(await send()).toBe(401);
    expect(h.fake.calls.length).toBe(callsBefore);
    expect(h.bot.deps.audit.head().id).toBe(auditBefore);
    expect(h.bot.approvals.list()).toEqual([]);
  });

  it('acknowledges /vault help within Slack’s deadline and answers privately', async () => {
    const res = await h.slack.command({ userId: 'U0DAVE', text: 'help' });
    expect(res.status).toBe(200);
    expect(res.timedOut).toBe(false);
    expect(res.elapsedMs).toBeLessThan(ACK_DEADLINE_MS);
    expect(ephemeralTexts(h, 'U0DAVE').at(-1)).toContain('/vault restore <YYYY-MM-DD|latest|key> [prod|staging]');
  });

  it('answers an unknown subcommand with the list of commands', async () => {
    await h.slack.command({ userId: 'U0DAVE', text: 'unseal now please' });
    const answer = ephemeralTexts(h, 'U0DAVE').at(-1);
    expect(answer).toContain('"unseal" is not a /vault command.');
    expect(answer).toContain('/vault backups [daily|monthly|manual] [N]');
  });

  it('serves /healthz with the database as the verdict and Vault as a field', async () => {
    const base = (h.bot.eventsUrl ?? '').replace('/slack/events', '');
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, db: 'ok', vault: { reachable: true, sealed: false } });

    h.vault.state.sealed = true;
    try {
      const sealed = await fetch(`${base}/healthz`);
      expect(sealed.status).toBe(200);
      expect(await sealed.json()).toMatchObject({ ok: true, vault: { reachable: true, sealed: true } });
    } finally {
      h.vault.state.sealed = false;
    }
  });

  it('serves /metrics from the default registry', async () => {
    const base = (h.bot.eventsUrl ?? '').replace('/slack/events', '');
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/vault_chatops_slash_commands_total\{subcommand="help"\} \d+/);
  });
});
