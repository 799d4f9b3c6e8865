/**
 * The PagerDuty Events API v2 client against a local stand-in: retries with backoff on 429, 5xx
 * and dropped connections, no retry on 400, order kept, change events on the same origin, and
 * the routing key never in a log line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { changeEvents, PagerDutyClient } from '../../../src/core/pagerduty/index.js';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../../support/pagerduty-server.js';

const KEY = 'R0123456789ABCDEF0123456789ABCDE';

describe('PagerDuty events client', () => {
  let pd: PagerDutyStandIn;
  let logs: string[];
  let client: PagerDutyClient;
  beforeEach(async () => {
    pd = await startPagerDutyStandIn();
    logs = [];
    const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void logs.push(l) } });
    client = new PagerDutyClient({ routingKey: KEY, eventsUrl: pd.eventsUrl, logger, retryDelaysMs: [20, 40, 80] });
  });
  afterEach(async () => {
    client.stop();
    changeEvents.use(undefined);
    await pd.stop();
  });

  const trigger = (dedup: string) => ({ event_action: 'trigger' as const, dedup_key: dedup, payload: { summary: 'Vault is sealed', source: 'vault:8200', severity: 'critical' as const } });

  it('retries 429, 503 and a dropped connection with growing waits, then delivers once', async () => {
    pd.failNext(429);
    pd.failNext(503);
    pd.failNext('drop');
    client.sendAlert(trigger('k1'));
    await client.idle();
    expect(pd.received.map((e) => e.status)).toEqual([429, 503, 0, 202]);
    const gaps = pd.received.slice(1).map((e, i) => e.at - (pd.received[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[2]).toBeGreaterThanOrEqual(70);
  });

  it('a 400 is logged and not retried, and the next event still goes', async () => {
    client.sendAlert({ event_action: 'resolve', dedup_key: '' });
    client.sendAlert(trigger('k2'));
    await client.idle();
    expect(pd.received.map((e) => e.status)).toEqual([400, 202]);
    expect(logs.join('\n')).toContain('PagerDuty refused the event (HTTP 400: Event object is invalid; dedup_key is required for acknowledge and resolve); it is not retried');
    expect(logs.join('\n')).not.toContain(KEY);
  });

  it('gives up after the last retry and says so', async () => {
    pd.failNext(500, Infinity);
    client.sendAlert(trigger('k3'));
    await client.idle();
    expect(pd.received).toHaveLength(4);
    expect(logs.join('\n')).toContain('PagerDuty did not take the event after 4 attempts (HTTP 500: Internal error); giving up');
  });

  it('keeps order: a resolve never overtakes its retried trigger', async () => {
    pd.failNext(503);
    client.sendAlert(trigger('k4'));
    client.sendAlert({ event_action: 'resolve', dedup_key: 'k4' });
    await client.idle();
    expect(pd.accepted().map((e) => e.body.event_action)).toEqual(['trigger', 'resolve']);
  });

  it('change events go to /v2/change/enqueue with the routing key, summary, source and details', async () => {
    changeEvents.use(client, 'vault.example.com:8200');
    changeEvents.record({ summary: 'Restored daily/2025-11-26/vault-snapshot-20251126-020000.enc into production', custom_details: { kind: 'restore', request: 'req_1' } });
    await client.idle();
    expect(pd.received).toHaveLength(1);
    expect(pd.received[0]).toMatchObject({
      path: '/v2/change/enqueue',
      status: 202,
      body: { routing_key: KEY, payload: { summary: expect.stringContaining('Restored daily/'), source: 'vault.example.com:8200', custom_details: { kind: 'restore', request: 'req_1' } } },
    });
  });

  it('without a client, recording a change does nothing and never throws', () => {
    changeEvents.use(undefined);
    expect(() => changeEvents.record({ summary: 'x' })).not.toThrow();
  });
});
