/**
 * @module metrics `sys/metrics` (§9): go-metrics' in-memory JSON dump by default, Prometheus text
 * with `?format=prometheus` (or an OpenMetrics Accept header), the plain-text 400s otherwise.
 */
import { authorize, requireToken } from './auth.js';
import { SEALED, VaultError, sendJson, sendText, type Ctx } from './http.js';
import type { VaultCore } from './state.js';

const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Gauge {
  name: string;
  help: string;
  value: number;
}

function gauges(core: VaultCore): Gauge[] {
  const unsealed = core.state.initialized && !core.state.sealed;
  const now = Date.now();
  const liveTokens = Object.values(core.logical.tokens).filter((t) => t.expireAt === null || t.expireAt > now).length;
  return [
    { name: 'core.unsealed', help: 'Whether Vault is unsealed', value: unsealed ? 1 : 0 },
    { name: 'core.active', help: 'Whether this node is the active node', value: unsealed && !core.standby ? 1 : 0 },
    { name: 'raft_storage.stats.commit_index', help: 'Raft commit index', value: core.logical.raftIndex },
    { name: 'raft_storage.stats.applied_index', help: 'Raft applied index', value: core.logical.raftIndex },
    { name: 'token.count', help: 'Number of service tokens', value: liveTokens },
    { name: 'secret.kv.count', help: 'Number of KV entries', value: Object.keys(core.logical.kv).length },
    {
      name: 'autopilot.healthy',
      help: 'Whether autopilot considers the cluster healthy',
      value: core.faults.autopilotUnhealthy ? 0 : 1,
    },
  ];
}

function counters(core: VaultCore): Gauge[] {
  return [
    { name: 'core.handle_request', help: 'Requests handled', value: core.counters.requests },
    { name: 'raft_storage.snapshot.served', help: 'Snapshots streamed', value: core.counters.snapshotsServed },
    { name: 'raft_storage.snapshot.restore', help: 'Snapshots restored', value: core.counters.restores },
    { name: 'auth.approle.login', help: 'AppRole logins', value: core.counters.logins },
  ];
}

function goTimestamp(d: Date): string {
  // go-metrics formats with time.Time.String(): "2006-01-02 15:04:05 +0000 UTC"
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

function promName(name: string): string {
  return `vault_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

function prometheusText(core: VaultCore): string {
  const lines: string[] = [];
  for (const g of gauges(core)) {
    const n = promName(g.name);
    lines.push(`# HELP ${n} ${g.help}`, `# TYPE ${n} gauge`, `${n} ${g.value}`);
  }
  for (const c of counters(core)) {
    const n = promName(c.name);
    lines.push(`# HELP ${n} ${c.help}`, `# TYPE ${n} counter`, `${n} ${c.value}`);
  }
  return `${lines.join('\n')}\n`;
}

export function handleMetrics(ctx: Ctx): void {
  const core = ctx.core;
  if (ctx.method !== 'GET') throw new VaultError(405, ['unsupported operation']);
  if (!core.options.unauthenticatedMetrics) {
    if (core.unavailable) throw new VaultError(503, [SEALED]);
    authorize(requireToken(ctx), 'sys/metrics', 'read');
  }
  const accept = String(ctx.req.headers.accept ?? '');
  const format = ctx.query.get('format') ?? (accept.includes('application/openmetrics-text') ? 'prometheus' : '');
  if (format === 'prometheus') {
    if (!core.options.prometheusEnabled) return sendText(ctx, 400, 'text/plain', 'prometheus is not enabled');
    return sendText(ctx, 200, PROM_CONTENT_TYPE, prometheusText(core));
  }
  if (format !== '') return sendText(ctx, 400, 'text/plain', `metric response format "${format}" unknown`);
  const labels = {};
  sendJson(ctx, 200, {
    Timestamp: goTimestamp(new Date(Math.floor(Date.now() / 10_000) * 10_000)),
    Gauges: gauges(core).map((g) => ({ Name: `vault.${g.name}`, Value: g.value, Labels: labels })),
    Counters: counters(core).map((c) => ({
      Name: `vault.${c.name}`,
      Count: c.value,
      Rate: c.value / 10,
      Sum: c.value,
      Min: 1,
      Max: 1,
      Mean: 1,
      Stddev: 0,
      Labels: labels,
    })),
    Samples: [],
    Points: [],
  });
}
