/** @module cli/audit-tail `vault-chatops audit tail [N]`: the newest N audit rows as readable lines. */
import type { AuditRecord } from '../core/audit/types.js';
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

const DEFAULT_ROWS = 20;

function formatValue(value: unknown): string {
  return typeof value === 'string' && !/\s/.test(value) && value !== '' ? value : JSON.stringify(value);
}

/** `2025-11-26T02:00:00.000Z  #12  system  backup.succeeded  daily/…enc  kind=daily bytes=1024` */
export function formatAuditLine(record: AuditRecord): string {
  const details = Object.entries(record.details).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
  return [record.time, `#${record.id}`, record.actor, record.event, record.target ?? '-', details].join('  ').trimEnd();
}

export const auditTailCommand: Command = {
  name: 'audit tail',
  usage: 'audit tail [N]',
  summary: `show the newest N audit log rows (default ${DEFAULT_ROWS})`,
  args: { max: 1 },
  run(args, ctx) {
    const raw = args.positionals[0];
    const n = raw === undefined ? DEFAULT_ROWS : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new UsageError(`audit tail expects a positive number of rows, not "${raw ?? ''}"; usage: vault-chatops audit tail [N]`);
    }
    const rows = ctx.audit().tail(n);
    if (rows.length === 0) ctx.out('the audit log is empty');
    for (const row of rows) ctx.out(formatAuditLine(row));
    return 0;
  },
};
