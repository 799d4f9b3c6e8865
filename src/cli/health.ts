/**
 * @module cli/health
 * `vault-chatops health`: one round of the health checks (DESIGN §8) printed as a table; exit 1
 * when any check fails, so any monitoring system can run it. It does not log in first: an
 * unreachable or sealed Vault is exactly what it must report, not a reason to stop. Without the
 * backup variables only the Vault checks run.
 */
import { BackupCatalogue } from '../core/backup/catalogue.js';
import { CHECK_ORDER, runHealthRound, type CheckResult } from '../core/health/index.js';
import { createBackupStore } from '../core/store/create-store.js';
import { VaultClient } from '../core/vault/client.js';
import { nodeClients } from '../core/health/node-clients.js';
import { JSON_FLAG, printJson, wantsJson } from './json-output.js';
import type { Command } from './registry.js';

const STATE_TEXT = { pass: 'ok', fail: 'FAIL', skip: 'skip' } as const;

export const healthCommand: Command = {
  name: 'health',
  usage: 'health [--json]',
  summary: 'run one round of health checks and print them; exit 1 when any fails',
  details: [
    'Checks: reachable, initialised, sealed, active leader, raft autopilot, latency (LATENCY_WARN_MS),',
    'backup age by catalogue and store, last backup, last restore test, backup store reachable.',
    'Exit codes: 0 every check passed or was skipped, 1 at least one failed, 2 bad configuration.',
  ],
  flags: { ...JSON_FLAG },
  run: async (args, ctx) => {
    const config = ctx.config(['vault']);
    const v = config.vault;
    const vault = new VaultClient({
      addr: v.addr,
      ...(v.token ? { token: v.token } : {}),
      ...(v.appRole ? { appRole: v.appRole } : {}),
      ...(v.namespace ? { namespace: v.namespace } : {}),
      ...(v.caCert ? { caCert: v.caCert } : {}),
      logger: ctx.logger(),
      requestTimeoutMs: 5000,
    });
    const backup = config.backup
      ? { store: createBackupStore(config.backup.store, config.backup.s3), catalogue: new BackupCatalogue(ctx.db()) }
      : {};
    const nodes = nodeClients(v, ctx.logger());
    try {
      const round = await runHealthRound({ vault, nodes, ...backup, latencyWarnMs: config.latencyWarnMs });
      const rows = [...round.results].sort((a, b) => CHECK_ORDER.indexOf(a.name) - CHECK_ORDER.indexOf(b.name));
      const failed = rows.filter((r) => r.state === 'fail');
      if (wantsJson(args)) return printJson(ctx, { checks: rows, failing: failed.map((r) => r.name) }, failed.length > 0 ? 1 : 0);
      for (const line of table(rows)) ctx.out(line);
      if (!config.backup) ctx.err('backup checks skipped: BACKUP_KEYS is not set');
      if (failed.length > 0) ctx.err(`${failed.length} of ${rows.length} checks failing: ${failed.map((r) => r.name).join(', ')}`);
      return failed.length > 0 ? 1 : 0;
    } finally {
      vault.stop();
      for (const node of nodes) node.stop();
    }
  },
};

function table(rows: readonly CheckResult[]): string[] {
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const line = (name: string, state: string, alert: string, detail: string): string =>
    `${name.padEnd(width)}  ${state.padEnd(5)}  ${alert.padEnd(19)}  ${detail}`.trimEnd();
  return [line('CHECK', 'STATE', 'ALERT', 'DETAIL'), ...rows.map((r) => line(r.name, STATE_TEXT[r.state], r.alert ?? '-', r.detail))];
}
