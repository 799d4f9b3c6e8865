/**
 * @module bot/health-routes
 * `GET /healthz` and `GET /metrics` on the receiver's HTTP server (Bolt `customRoutes`).
 *
 * Health answers 200 `{ok:true}` while the database answers: that is what this process needs to
 * keep its promises (approvals, audit). Vault is reported as a field, not a failure, because a
 * sealed or unreachable Vault is exactly when the bot must stay up to page and to help.
 */
import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { register } from 'prom-client';
import { withTimeout } from './with-timeout.js';

export interface HealthProbes {
  /** Throws when the database cannot answer. */
  database(): void;
  /** Why the health scheduler looks stalled, or undefined while it runs (DESIGN §8). */
  scheduler?(): string | undefined;
  /** Vault reachability as a small JSON-able object; must not throw. */
  vault(): Promise<Record<string, unknown>>;
}

const VAULT_PROBE_MS = 2000;

export function healthRoutes(probes: HealthProbes): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        void healthz(probes, res);
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        void register.metrics().then(
          (text) => send(res, 200, register.contentType, text),
          () => send(res, 500, 'text/plain', 'metrics unavailable\n'),
        );
      },
    },
  ];
}

async function healthz(probes: HealthProbes, res: ServerResponse): Promise<void> {
  let db = 'ok';
  try {
    probes.database();
  } catch {
    db = 'unavailable';
  }
  const vault = await withTimeout(probes.vault(), VAULT_PROBE_MS).catch((error: Error) => ({ reachable: false, reason: error.message }));
  let scheduler = 'ok';
  try {
    scheduler = probes.scheduler?.() ?? 'ok';
  } catch {
    scheduler = 'unknown';
  }
  const ok = db === 'ok' && scheduler === 'ok';
  send(res, ok ? 200 : 503, 'application/json', JSON.stringify({ ok, db, scheduler, vault }));
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}
