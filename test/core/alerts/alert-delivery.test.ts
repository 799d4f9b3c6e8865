/**
 * What the alert engine owes people and the pager, kept through outages and restarts (issue 8
 * review): PagerDuty events owed on the alert row and re-sent until taken (also after a restart),
 * an incident that fired and cleared during a Slack outage posted late, reminders counted from the
 * first delivery, a clear threshold of at least two passes, and two processes on one database
 * posting each message once. PagerDuty is the local stand-in; the chat is recorded at the public
 * AlertNotifier interface.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine, type AlertMessageRef, type AlertNotifier, type AlertView } from '../../../src/core/alerts/index.js';
import { AuditLog } from '../../../src/core/audit/index.js';
import { openDatabase, type Database } from '../../../src/core/db/index.js';
import type { CheckResult, HealthRound } from '../../../src/core/health/types.js';
import { PagerDutyAlertPager, PagerDutyClient } from '../../../src/core/pagerduty/index.js';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../../support/pagerduty-server.js';

class Chat implements AlertNotifier {
  lines: string[] = [];
  failing = false;
  /** While set, `fired` waits for it (a slow Slack). */
  gate: Promise<void> | undefined;
  #n = 0;
  constructor(readonly name = 'chat') {}
  async fired(a: AlertView): Promise<AlertMessageRef> {
    await this.gate;
    this.#check();
    this.lines.push(`${a.late ? 'late ' : ''}fired ${a.key} ${a.state}`);
    return { channel: 'C1', ts: `${this.name}.${++this.#n}` };
  }
  async reminder(a: AlertView): Promise<void> {
    this.#check();
    this.lines.push(`reminder ${a.key} #${a.reminders}`);
  }
  async acknowledged(a: AlertView): Promise<void> {
    this.lines.push(`acknowledged ${a.key}`);
  }
  async resolved(a: AlertView): Promise<void> {
    this.#check();
    this.lines.push(`resolved ${a.key}`);
  }
  async note(a: AlertView, _ref: AlertMessageRef, text: string): Promise<void> {
    this.lines.push(`note ${a.key}: ${text}`);
  }
  #check(): void {
    if (this.failing) throw new Error('slack is down');
  }
}

const sealed = (state: 'pass' | 'fail'): HealthRound => ({
  startedAt: new Date(),
  durationMs: 1,
  results: [{ name: 'sealed', state, alert: 'vault_sealed', detail: state === 'fail' ? 'Vault is sealed.' : 'Vault is unsealed.', durationMs: 1 } as CheckResult],
});
const latency = (state: 'pass' | 'fail'): HealthRound => ({
  startedAt: new Date(),
  durationMs: 1,
  results: [{ name: 'latency', state, alert: 'high_latency', detail: state === 'fail' ? 'Slow.' : 'Fast.', durationMs: 1 } as CheckResult],
});

describe('alert delivery owed through outages', () => {
  let dir: string;
  let db: Database;
  let audit: AuditLog;
  let now: Date;
  let pd: PagerDutyStandIn;
  const clients: PagerDutyClient[] = [];
  const logger = pino({ level: 'silent' });
  const pager = () => {
    const client = new PagerDutyClient({ routingKey: 'R0123456789ABCDEF0123456789ABCDE', eventsUrl: pd.eventsUrl, logger, retryDelaysMs: [5] });
    clients.push(client);
    return new PagerDutyAlertPager({ client, cluster: 'vault:8200' });
  };
  const build = (chat: AlertNotifier, extra: Partial<ConstructorParameters<typeof AlertEngine>[0]> = {}) =>
    new AlertEngine({ db, audit, notifier: chat, logger, clock: () => now, afterFailures: 2, remindMinutes: 15, ...extra });
  const tick = (ms = 60_000) => (now = new Date(now.getTime() + ms));
  const column = (col: string) => (db.prepare(`SELECT ${col} AS v FROM alerts ORDER BY id LIMIT 1`).get() as { v: string | null }).v;
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(cond()).toBe(true);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vc-alert-delivery-'));
    db = openDatabase(dir);
    audit = new AuditLog(db);
    now = new Date('2025-11-26T03:00:00Z');
    pd = await startPagerDutyStandIn();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.stop();
    await pd.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a trigger PagerDuty did not take within its retries is re-sent on the next round, and recorded once taken', async () => {
    pd.failNext(503, 2); // the first attempt and its one retry
    const engine = build(new Chat(), { pager: pager() });
    await engine.observe(sealed('fail'));
    await pd.waitFor(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(column('pd_trigger_at')).toBeNull();
    tick();
    await engine.observe(sealed('fail'));
    await until(() => column('pd_trigger_at') !== null);
    expect(pd.accepted().map((e) => e.body.event_action)).toEqual(['trigger']);
    // Once recorded it is not sent again.
    tick();
    await engine.observe(sealed('fail'));
    await new Promise((r) => setTimeout(r, 30));
    expect(pd.accepted()).toHaveLength(1);
  });

  it('a resolve owed when the bot stopped is sent by the next process, with the same dedup_key', async () => {
    const first = build(new Chat(), { pager: pager() });
    await first.observe(sealed('fail'));
    await until(() => column('pd_trigger_at') !== null);
    pd.failNext(503, 100);
    tick();
    await first.observe(sealed('pass'));
    tick();
    await first.observe(sealed('pass'));
    expect(column('state')).toBe('resolved');
    expect(column('pd_resolve_at')).toBeNull();
    for (const c of clients.splice(0)) c.stop(); // the process stops with the resolve owed
    await first.idle();
    // PagerDuty is back (a fresh stand-in without the outage) and a new process starts.
    await pd.stop();
    pd = await startPagerDutyStandIn();
    const second = build(new Chat(), { pager: pager() });
    await second.deliverPending();
    await until(() => column('pd_resolve_at') !== null);
    const sent = pd.accepted().map((e) => [e.body.event_action, e.body.dedup_key]);
    expect(sent).toEqual([['resolve', 'vault-chatops/vault:8200/vault_sealed']]);
  });

  it('PagerDuty hears of the page while Slack is down, before Slack takes the message', async () => {
    const chat = new Chat();
    chat.failing = true;
    const engine = build(chat, { pager: pager() });
    await engine.observe(sealed('fail'));
    await until(() => column('pd_trigger_at') !== null);
    expect(chat.lines).toEqual([]);
    expect(column('delivered_at')).toBeNull();
  });

  it('an incident that fired and cleared while Slack was down is posted late, labelled, with its resolution', async () => {
    const chat = new Chat();
    chat.failing = true;
    const engine = build(chat);
    await engine.observe(sealed('fail'));
    tick();
    await engine.observe(sealed('pass'));
    tick();
    await engine.observe(sealed('pass'));
    expect(column('state')).toBe('resolved');
    chat.failing = false;
    tick();
    await engine.deliverPending();
    expect(chat.lines).toEqual(['late fired vault_sealed resolved', 'resolved vault_sealed']);
    await engine.deliverPending();
    expect(chat.lines).toHaveLength(2);
  });

  it('a first message delivered late is not followed by "Reminder 1" in the same round; reminders count from delivery', async () => {
    const chat = new Chat();
    chat.failing = true;
    const engine = build(chat);
    await engine.observe(sealed('fail'));
    tick(20 * 60_000);
    chat.failing = false;
    await engine.observe(sealed('fail'));
    expect(chat.lines).toEqual(['fired vault_sealed firing']);
    tick(10 * 60_000);
    await engine.observe(sealed('fail'));
    expect(chat.lines).toHaveLength(1);
    tick(5 * 60_000);
    await engine.observe(sealed('fail'));
    expect(chat.lines).toEqual(['fired vault_sealed firing', 'reminder vault_sealed #1']);
  });

  it('with ALERT_AFTER_FAILURES=1 a check flapping fail, pass, fail stays one incident; two passes clear it', async () => {
    const chat = new Chat();
    const engine = build(chat, { afterFailures: 1 });
    for (const state of ['fail', 'pass', 'fail', 'pass', 'fail'] as const) {
      await engine.observe(latency(state));
      tick();
    }
    expect(chat.lines).toEqual(['fired high_latency firing']);
    await engine.observe(latency('pass'));
    tick();
    await engine.observe(latency('pass'));
    expect(chat.lines).toEqual(['fired high_latency firing', 'resolved high_latency']);
  });

  it('two processes on one database post an incident once', async () => {
    const a = new Chat('a');
    const b = new Chat('b');
    let open!: () => void;
    a.gate = new Promise((r) => (open = r));
    b.gate = a.gate;
    const first = build(a);
    const second = build(b);
    first.raise('backup_failed', 'daily', 'The daily backup failed.').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    const secondDone = second.deliverPending();
    await new Promise((r) => setTimeout(r, 10));
    open();
    await Promise.all([first.idle(), secondDone]);
    expect([...a.lines, ...b.lines]).toEqual(['fired backup_failed firing']);
  });

  it('two processes on one database send a due reminder once', async () => {
    const a = new Chat('a');
    const b = new Chat('b');
    const first = build(a);
    const second = build(b);
    await first.observe(sealed('fail'));
    tick(16 * 60_000);
    await Promise.all([first.deliverPending(), second.deliverPending()]);
    expect([...a.lines, ...b.lines].filter((l) => l.startsWith('reminder'))).toEqual(['reminder vault_sealed #1']);
  });
});
