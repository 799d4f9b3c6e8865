/**
 * A Slack that hangs or rate-limits must not hold the alert engine (issue 8 review): the alert
 * path's Slack calls are bounded, a timed-out post stays owed, rounds keep judging and PagerDuty
 * keeps triggering meanwhile, Acknowledge answers, and a 429 with a long Retry-After fails fast
 * instead of being waited out. Slack is a local server that accepts connections and never answers,
 * then the fake Slack; PagerDuty is the local stand-in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertWebClientOptions, SlackAlertNotifier } from '../../src/bot/slack-alert-notifier.js';
import { AlertEngine } from '../../src/core/alerts/index.js';
import { AuditLog } from '../../src/core/audit/index.js';
import { openDatabase, type Database } from '../../src/core/db/index.js';
import type { CheckResult, HealthRound } from '../../src/core/health/types.js';
import { HealthMonitor } from '../../src/core/health/monitor.js';
import { PagerDutyAlertPager, PagerDutyClient } from '../../src/core/pagerduty/index.js';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../support/pagerduty-server.js';
import { startFakeSlack, type FakeSlack } from '../support/slack/index.js';

const round = (...results: Array<[string, 'pass' | 'fail', string]>): HealthRound => ({
  startedAt: new Date(),
  durationMs: 1,
  results: results.map(([name, state, alert]) => ({ name, state, alert, detail: `${name} ${state}`, durationMs: 1 }) as CheckResult),
});

describe('alert Slack calls are bounded', () => {
  let dir: string;
  let db: Database;
  let silent: Server;
  let sockets: Socket[];
  let silentUrl: string;
  let pd: PagerDutyStandIn;
  let pdClient: PagerDutyClient;
  let fake: FakeSlack | undefined;
  const logger = pino({ level: 'silent' });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vc-alert-hang-'));
    db = openDatabase(dir);
    sockets = [];
    silent = createServer((s) => void sockets.push(s)).listen(0);
    await new Promise((r) => silent.once('listening', r));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/api/`;
    pd = await startPagerDutyStandIn();
    pdClient = new PagerDutyClient({ routingKey: 'R0123456789ABCDEF0123456789ABCDE', eventsUrl: pd.eventsUrl, logger, retryDelaysMs: [5] });
  });
  afterEach(async () => {
    pdClient.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    await pd.stop();
    await fake?.stop();
    fake = undefined;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const engineOver = (apiUrl: string, timeoutMs: number, token = 'xoxb-test') => {
    const client = new webApi.WebClient(token, alertWebClientOptions({ slackApiUrl: apiUrl }, timeoutMs));
    return new AlertEngine({
      db, audit: new AuditLog(db), logger, afterFailures: 2, remindMinutes: 15,
      notifier: new SlackAlertNotifier({ client, channel: 'C0VAULTOPS', logger, timeoutMs }),
      pager: new PagerDutyAlertPager({ client: pdClient, cluster: 'vault:8200' }),
    });
  };

  it('a hung Slack: rounds keep finishing and judging, PagerDuty triggers, Acknowledge answers, and the message stays owed', async () => {
    const engine = engineOver(silentUrl, 150);
    let next = round(['sealed', 'fail', 'vault_sealed'], ['reachable', 'pass', 'vault_unreachable']);
    const monitor = new HealthMonitor({ round: async () => next, engine, logger });
    const started = Date.now();
    await monitor.tick();
    expect(monitor.lastFinishedAt()).toBeDefined();
    await pd.waitFor(1);
    expect(pd.accepted().map((e) => e.body.dedup_key)).toEqual(['vault-chatops/vault:8200/vault_sealed']);
    // The next round still judges: Vault unreachable for two rounds fires and pages too.
    next = round(['sealed', 'fail', 'vault_sealed'], ['reachable', 'fail', 'vault_unreachable']);
    await monitor.tick();
    await monitor.tick();
    await pd.waitFor(2);
    expect(pd.accepted().map((e) => e.body.dedup_key)).toContain('vault-chatops/vault:8200/vault_unreachable');
    const ack = await engine.acknowledge(1, 'U0ALICE');
    expect(ack.outcome).toBe('acknowledged');
    expect(Date.now() - started).toBeLessThan(3000);
    const owed = db.prepare(`SELECT key, delivered_at FROM alerts ORDER BY id`).all() as Array<{ key: string; delivered_at: string | null }>;
    expect(owed).toEqual([{ key: 'vault_sealed', delivered_at: null }, { key: 'vault_unreachable', delivered_at: null }]);

    // Slack answers again: the owed messages go out on the next round.
    fake = await startFakeSlack();
    const back = engineOver(fake.apiUrl, 2000, fake.botToken);
    await back.deliverPending();
    const posted = fake.messages('C0VAULTOPS').map((m) => m.text);
    expect(posted.some((t) => t.includes('Vault is sealed'))).toBe(true);
    expect((db.prepare(`SELECT COUNT(*) AS n FROM alerts WHERE delivered_at IS NULL`).get() as { n: number }).n).toBe(0);
  });

  it('a 429 with a long Retry-After fails the post at once and leaves it owed for the next round', async () => {
    fake = await startFakeSlack();
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 60 });
    const engine = engineOver(fake.apiUrl, 2000, fake.botToken);
    const started = Date.now();
    await engine.raise('backup_failed', 'daily', 'The daily backup failed at step upload: boom.');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(fake.messages('C0VAULTOPS')).toHaveLength(0);
    await engine.deliverPending();
    expect(fake.messages('C0VAULTOPS').map((m) => m.text).join('\n')).toContain('Backup failed');
  });
});
