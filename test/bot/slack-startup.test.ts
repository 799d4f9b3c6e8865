/**
 * Issue 7 item 12: with Slack's Web API not answering at start-up, the bot serves an unhealthy
 * `/healthz` meanwhile, says in one clear line what is wrong after a bounded wait (instead of only
 * library warnings for minutes), and starts normally once Slack answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { launchBot } from '../../src/bot/launch.js';
import { loadConfig, type Config } from '../../src/core/config/index.js';
import { openDatabase } from '../../src/core/db/index.js';
import { createLogger } from '../../src/core/logger.js';
import { startFakeSlack, type FakeSlack } from '../support/slack/index.js';
import { startBotHarness, type BotHarness } from './bot-harness.js';

describe('Slack unreachable at start-up', () => {
  let h: BotHarness | undefined;
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await h?.close();
    await slack?.stop();
    h = undefined;
    slack = undefined;
  });

  it('serves /healthz 503 while waiting, logs one clear line after the bound, then starts', async () => {
    slack = await startFakeSlack({ users: [{ id: 'U0ALICE', name: 'alice' }] });
    slack.failNext('auth.test', { error: 'internal_error', status: 500, times: 100_000 });
    let healthPort: number | undefined;
    const starting = startBotHarness({
      env: { SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: slack.botToken },
      launch: { slackStartup: { waitMs: 1000, retryMs: 50, laterRetryMs: 100, onHealthz: (port) => (healthPort = port) } },
    });
    for (let i = 0; i < 100 && healthPort === undefined; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(healthPort).toBeDefined();
    const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, slack: 'unreachable', reason: 'HTTP 500' });

    await new Promise((r) => setTimeout(r, 1300));
    slack.clearFaults();
    h = await starting;
    const lines = h.logs.filter((l) => l.includes("Slack's Web API"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string).msg).toMatch(
      new RegExp(`^Slack's Web API \\(${slack.apiUrl.replace(/[.:/]/g, '\\$&')}\\) has not answered for 1 s \\(HTTP 500\\); check outbound HTTPS to slack\\.com \\(proxy, firewall, DNS\\) or SLACK_API_URL\\. Still trying every 0 s; /healthz answers 503 until Slack answers\\.$`),
    );
    // Started: the receiver now answers /healthz on its own port.
    expect((await fetch(`http://127.0.0.1:${h.bot.port}/healthz`)).status).toBe(200);
  });

  it('a token Slack refuses still stops the start at once with the token message', async () => {
    slack = await startFakeSlack();
    await expect(
      startBotHarness({ env: { SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: 'xoxb-not-known' }, launch: { slackStartup: { waitMs: 60_000 } } }),
    ).rejects.toThrow(/Could not check SLACK_BOT_TOKEN \(Slack answered invalid_auth\)/);
  });

  it('with nothing listening at the Slack API address: /healthz 503 and one clear line, until stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-startup-'));
    const loaded = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret-0123456789', SLACK_API_URL: 'http://127.0.0.1:9/api/', SLACK_OPS_CHANNEL: 'C0OPS',
        SLACK_APPROVERS: 'U0ALICE', VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 'hvs.x', BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}`, DATA_DIR: dir,
      },
      ['slack', 'vault', 'backup'],
    );
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void logs.push(l) } });
    const db = openDatabase(dir, { logger });
    const stop = new AbortController();
    let port: number | undefined;
    const launching = launchBot({
      config: loaded.config as Config, logger, db, port: 0, receiver: 'http', schedule: false, catchUp: false,
      slackStartup: { waitMs: 300, retryMs: 50, laterRetryMs: 50, signal: stop.signal, onHealthz: (p) => (port = p) },
    }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    for (let i = 0; i < 100 && port === undefined; i += 1) await new Promise((r) => setTimeout(r, 20));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, slack: 'unreachable' });
    await new Promise((r) => setTimeout(r, 600));
    const clear = logs.filter((l) => l.includes("Slack's Web API"));
    expect(clear).toHaveLength(1);
    expect(JSON.parse(clear[0] as string).msg).toContain("Slack's Web API (http://127.0.0.1:9/api/) has not answered for 0 s (");
    stop.abort();
    expect(await launching).toBe('Stopped while waiting for Slack.');
    // The interim /healthz is gone with the failed start.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
