/**
 * @module bot/startup-health
 * `/healthz` while the bot cannot start yet because Slack does not answer: a small HTTP server on
 * PORT that answers 503 with the reason (and `/metrics`), so an orchestrator sees an unhealthy
 * container instead of a silent one. It is closed before the Bolt receiver takes the port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';

export interface InterimHealth {
  port: number;
  close(): Promise<void>;
}

export async function startInterimHealth(port: number, reason: () => string): Promise<InterimHealth> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: false, slack: 'unreachable', reason: reason(), db: 'not checked', note: 'waiting for Slack before starting' }));
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      void register.metrics().then((text) => {
        res.writeHead(200, { 'content-type': register.contentType });
        res.end(text);
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
