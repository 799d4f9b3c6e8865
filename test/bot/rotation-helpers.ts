/**
 * @module test/bot/rotation-helpers
 * What the rotation tests share: a person typing in a request's thread (stored in the fake and
 * delivered to the bot as a signed Events API `message` event, as Slack does), and the scan of
 * everything the bot said or stored for values that must never appear there.
 */
import { randomBytes } from 'node:crypto';
import { signatureHeaders } from '../support/slack/signing.js';
import { OPS, SIGNING_SECRET, type BotHarness } from './bot-harness.js';

/** Posts `text` as `user` under `threadTs` and delivers the event; resolves with the bot's HTTP status. */
export async function postInThread(h: BotHarness, user: string, threadTs: string, text: string): Promise<{ ts: string; status: number }> {
  const stored = h.fake.postAsUser(OPS, user, text, { thread_ts: threadTs });
  const body = JSON.stringify({
    token: 'fake-verification-token',
    team_id: h.fake.teamId,
    api_app_id: h.fake.appId,
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel: OPS, channel_type: 'channel', user, text, ts: stored.ts, thread_ts: threadTs, event_ts: stored.ts, team: h.fake.teamId },
    authorizations: [{ team_id: h.fake.teamId, user_id: h.fake.botUserId, is_bot: true, is_enterprise_install: false }],
  });
  const headers = { 'content-type': 'application/json', ...signatureHeaders(SIGNING_SECRET, Math.floor(Date.now() / 1000), body) };
  const res = await fetch(h.bot.eventsUrl as string, { method: 'POST', headers, body });
  await res.text();
  return { ts: stored.ts, status: res.status };
}

/** Every place a value could leak to: Slack calls (arguments and answers), log lines, audit rows. */
export function leakSurfaces(h: BotHarness): { slack: string; logs: string; audit: string } {
  return {
    slack: JSON.stringify(h.fake.calls),
    logs: h.logs.join('\n'),
    audit: JSON.stringify(h.bot.deps.audit.tail(10_000)),
  };
}

/** The values (and their distinctive middles, for multi-line keys) found on any surface. */
export function leakedValues(h: BotHarness, values: readonly string[]): string[] {
  const surfaces = leakSurfaces(h);
  const probes = values.flatMap((v) => {
    const line = v.split('\n').find((l) => l.length >= 40 && !l.startsWith('-----'));
    return [v, ...(line ? [line] : [])];
  });
  return probes.filter((p) => p.length >= 8 && Object.values(surfaces).some((s) => s.includes(p) || s.includes(JSON.stringify(p).slice(1, -1))));
}

/** Waits until `check` passes (thread updates arrive asynchronously), up to `ms`. */
export async function eventually<T>(check: () => T, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}
