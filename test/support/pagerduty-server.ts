/**
 * A local HTTP server standing in for PagerDuty's Events API v2 (reference/pagerduty-api.md):
 * `POST /v2/enqueue` and `POST /v2/change/enqueue`, 202 `{"status":"success",…}` for a valid
 * event, 400 `{"status":"invalid event",…}` for one that is not, and injectable outages (429,
 * 5xx, a dropped connection) for the next N requests or for all of them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedEvent {
  path: string;
  body: Record<string, unknown>;
  /** What the stand-in answered. */
  status: number;
  at: number;
}

export interface PagerDutyStandIn {
  /** `http://127.0.0.1:<port>/v2/enqueue`, for PAGERDUTY_EVENTS_URL. */
  eventsUrl: string;
  /** Every request, in order, including refused ones. */
  received: ReceivedEvent[];
  /** Accepted alert events (202). */
  accepted(): ReceivedEvent[];
  /** The next `times` requests answer `status` (or drop the connection with `'drop'`); `Infinity` for an outage. */
  failNext(answer: number | 'drop', times?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export async function startPagerDutyStandIn(): Promise<PagerDutyStandIn> {
  const received: ReceivedEvent[] = [];
  const faults: Array<{ answer: number | 'drop'; times: number }> = [];
  const sockets = new Set<Socket>();
  const waiters: Array<() => void> = [];

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      body = {};
    }
    const path = req.url ?? '';
    const fault = faults[0];
    if (fault) {
      fault.times -= 1;
      if (fault.times <= 0) faults.shift();
      record(path, body, fault.answer === 'drop' ? 0 : fault.answer);
      if (fault.answer === 'drop') return void req.socket.destroy();
      return send(res, fault.answer, { status: 'error', message: fault.answer === 429 ? 'Rate limited' : 'Internal error' });
    }
    const errors = req.method !== 'POST' ? ['method'] : path === '/v2/enqueue' ? alertErrors(body) : path === '/v2/change/enqueue' ? changeErrors(body) : ['path'];
    if (errors.length > 0) {
      record(path, body, 400);
      return send(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors });
    }
    record(path, body, 202);
    send(res, 202, { status: 'success', message: 'Event processed', ...(typeof body.dedup_key === 'string' ? { dedup_key: body.dedup_key } : {}) });
  }

  function record(path: string, body: Record<string, unknown>, status: number): void {
    received.push({ path, body, status, at: Date.now() });
    for (const w of waiters.splice(0)) w();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    eventsUrl: `http://127.0.0.1:${port}/v2/enqueue`,
    received,
    accepted: () => received.filter((e) => e.status === 202 && e.path === '/v2/enqueue'),
    failNext(answer, times = 1) {
      faults.push({ answer, times });
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`PagerDuty stand-in: ${received.length} of ${count} requests after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50).unref();
        });
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function alertErrors(b: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (typeof b.routing_key !== 'string' || b.routing_key.length !== 32) errors.push('routing_key must be 32 characters');
  if (typeof b.event_action !== 'string' || !ACTIONS.has(b.event_action)) errors.push('event_action is invalid');
  if (b.event_action !== 'trigger' && (typeof b.dedup_key !== 'string' || b.dedup_key === '')) errors.push('dedup_key is required for acknowledge and resolve');
  if (typeof b.dedup_key === 'string' && b.dedup_key.length > 255) errors.push('dedup_key is longer than 255 characters');
  if (b.event_action === 'trigger') {
    const p = b.payload as Record<string, unknown> | undefined;
    if (!p || typeof p.summary !== 'string' || p.summary.length > 1024) errors.push('payload.summary is required (at most 1024 characters)');
    if (!p || typeof p.source !== 'string' || p.source === '') errors.push('payload.source is required');
    if (!p || typeof p.severity !== 'string' || !SEVERITIES.has(p.severity)) errors.push('payload.severity is invalid');
  }
  return errors;
}

function changeErrors(b: Record<string, unknown>): string[] {
  const p = b.payload as Record<string, unknown> | undefined;
  const errors: string[] = [];
  if (typeof b.routing_key !== 'string' || b.routing_key.length !== 32) errors.push('routing_key must be 32 characters');
  if (!p || typeof p.summary !== 'string' || p.summary === '') errors.push('payload.summary is required');
  if (!p || typeof p.timestamp !== 'string') errors.push('payload.timestamp is required');
  return errors;
}
