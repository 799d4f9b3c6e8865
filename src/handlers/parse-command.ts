/**
 * @module handlers/parse-command
 * `/vault …` text → one typed command, or a usage error that names what was wrong and shows the
 * right form. Pure: no Slack, no core calls, so every form and every mistake is a plain test.
 */

import { parseTargetName } from '../core/restore/target-names.js';

import { parseRotate, parseUnsealStatus, ROTATE_USAGE, type RotateCommand } from './parse-rotate.js';

export type BackupListKind = 'daily' | 'monthly' | 'manual';

export type VaultCommand =
  | { name: 'help' }
  | { name: 'status' }
  | { name: 'backups'; kind?: BackupListKind; limit: number }
  | { name: 'backup-now'; reason?: string }
  | { name: 'restore'; spec?: string; target: 'prod' | 'staging'; force?: boolean }
  | { name: 'seal'; reason?: string }
  | { name: 'approvals' }
  | { name: 'alerts' }
  | { name: 'audit'; limit: number }
  | { name: 'audit-verify' }
  | RotateCommand
  | { name: 'recover'; path: string; from: string }
  | { name: 'drill'; scenario: DrillScenarioName; newest?: number }
  | { name: 'drills'; limit: number }
  | { name: 'report'; from?: string; to?: string }
  | RotateCommand;

export type DrillScenarioName = 'restore-test' | 'backup-integrity' | 'seal' | 'rotation';
const DRILL_SCENARIOS: readonly DrillScenarioName[] = ['restore-test', 'backup-integrity', 'seal', 'rotation'];

export interface UsageError {
  name: 'usage';
  /** What was wrong, one sentence, with the user's words quoted as plain text (the bot escapes). */
  problem: string;
  /** The right form(s). */
  usage: string;
}

/** Every form, for help and for "unknown subcommand". */
export const USAGE = {
  help: '/vault help',
  status: '/vault status',
  backups: '/vault backups [daily|monthly|manual] [N]',
  backupNow: '/vault backup now',
  restore: '/vault restore <YYYY-MM-DD|latest|key> [prod|staging] [force]',
  seal: '/vault seal [reason…]',
  approvals: '/vault approvals',
  alerts: '/vault alerts',
  audit: '/vault audit [N] | verify',
  recover: '/vault recover <kv-path | kv-path/> [from <YYYY-MM-DD|latest|key>]',
  drill: '/vault drill <restore-test|backup-integrity [N]|seal|rotation>',
  drills: '/vault drills [N]',
  report: '/vault report [YYYY-MM-DD [YYYY-MM-DD]]',
  ...ROTATE_USAGE,
} as const;

export const ALL_FORMS = Object.values(USAGE);

export const LIST_DEFAULT = 10;
export const LIST_MAX = 50;
const AUDIT_DEFAULT = 10;

/** Subcommands DESIGN §7 names that this bot does not run yet: said so, instead of "unknown". */
const NOT_YET = new Set<string>([]);

export function parseVaultCommand(text: string): VaultCommand | UsageError {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const sub = first?.toLowerCase();
  switch (sub) {
    case undefined:
    case 'help':
      return { name: 'help' };
    case 'status':
      return noArguments('status', rest) ?? { name: 'status' };
    case 'approvals':
      return noArguments('approvals', rest) ?? { name: 'approvals' };
    case 'alerts':
      return noArguments('alerts', rest) ?? { name: 'alerts' };
    case 'backups':
      return parseBackups(rest);
    case 'backup':
      if (rest[0]?.toLowerCase() === 'now') return { name: 'backup-now', ...reasonOf(rest.slice(1)) };
      return usage(rest.length === 0 ? '`backup` needs `now`.' : `"${rest.join(' ')}" is not a backup action.`, `${USAGE.backupNow} (or ${USAGE.backups} to list them)`);
    case 'restore':
      return parseRestore(rest);
    case 'seal':
      return { name: 'seal', ...reasonOf(rest) };
    case 'audit':
      return parseAudit(rest);
    case 'recover':
      return parseRecover(rest);
    case 'drill':
      return parseDrill(rest);
    case 'drills':
      return parseDrills(rest);
    case 'report':
      return parseReport(rest);
    case 'rotate':
      return parseRotate(rest);
    case 'unseal-status':
      return parseUnsealStatus(rest);
    default:
      if (NOT_YET.has(sub)) return usage(`\`${sub}\` is not available in this version of the bot yet.`, ALL_FORMS.join('\n'));
      return usage(`"${first ?? ''}" is not a /vault command.`, ALL_FORMS.join('\n'));
  }
}

function parseBackups(args: string[]): VaultCommand | UsageError {
  let kind: BackupListKind | undefined;
  let limit = LIST_DEFAULT;
  for (const arg of args) {
    const word = arg.toLowerCase();
    if ((word === 'daily' || word === 'monthly' || word === 'manual') && kind === undefined) kind = word;
    else if (/^\d+$/.test(word) && limit === LIST_DEFAULT) {
      const n = Number(word);
      if (n < 1 || n > LIST_MAX) return usage(`${word} is out of range; N must be 1 to ${LIST_MAX}.`, USAGE.backups);
      limit = n;
    } else return usage(`"${arg}" is not a kind (daily, monthly, manual) or a count.`, USAGE.backups);
  }
  return { name: 'backups', ...(kind ? { kind } : {}), limit };
}

function parseRestore(args: string[]): VaultCommand | UsageError {
  if (args.length === 0) return { name: 'restore', target: 'prod' };
  // `force` (last): a backup from another cluster, as Vault's snapshot-force (issue 7 item 12).
  const force = args.length > 1 && args[args.length - 1]?.toLowerCase() === 'force';
  if (force) return withForce(parseRestore(args.slice(0, -1)));
  const [spec, target, ...extra] = args as [string, ...string[]];
  // Target names are the CLI's too: prod (or production, the default) and staging.
  const named = target === undefined ? 'prod' : parseTargetName(target);
  if (extra.length > 0 || named === undefined) {
    return usage(`"${args.slice(1).join(' ')}" is not a restore target; add "staging", or "prod" (the default, also "production").`, USAGE.restore);
  }
  // The spec itself (date, latest, key) is checked by the core, which also knows the nearest dates.
  return { name: 'restore', spec, target: named };
}

function withForce(parsed: VaultCommand | UsageError): VaultCommand | UsageError {
  return parsed.name === 'restore' && parsed.spec !== undefined ? { ...parsed, force: true } : parsed;
}

function parseAudit(args: string[]): VaultCommand | UsageError {
  const [arg, ...extra] = args;
  if (extra.length > 0) return usage(`"${args.join(' ')}" has too many words.`, USAGE.audit);
  if (arg === undefined) return { name: 'audit', limit: AUDIT_DEFAULT };
  if (arg.toLowerCase() === 'verify') return { name: 'audit-verify' };
  if (/^\d+$/.test(arg)) {
    const n = Number(arg);
    if (n < 1 || n > LIST_MAX) return usage(`${arg} is out of range; N must be 1 to ${LIST_MAX}.`, USAGE.audit);
    return { name: 'audit', limit: n };
  }
  return usage(`"${arg}" is not a count or "verify".`, USAGE.audit);
}

function parseRecover(args: string[]): VaultCommand | UsageError {
  const [path, word, spec, ...extra] = args;
  if (path === undefined) return usage('`recover` needs the KV path of a secret, or of a folder ending in "/".', USAGE.recover);
  if (word === undefined) return { name: 'recover', path, from: 'latest' };
  if (word.toLowerCase() !== 'from' || spec === undefined || extra.length > 0) {
    return usage(`"${args.slice(1).join(' ')}" is not "from <YYYY-MM-DD|latest|key>".`, USAGE.recover);
  }
  // The spec itself (date, latest, key) is checked by the core, which also knows the nearest dates.
  return { name: 'recover', path, from: spec };
}

function parseDrill(args: string[]): VaultCommand | UsageError {
  const [first, n, ...extra] = args;
  const scenario = DRILL_SCENARIOS.find((s) => s === first?.toLowerCase());
  if (!scenario) {
    return usage(first === undefined ? '`drill` needs a scenario.' : `"${first}" is not a drill scenario.`, USAGE.drill);
  }
  if (n === undefined) return { name: 'drill', scenario };
  if (scenario !== 'backup-integrity' || extra.length > 0 || !/^\d+$/.test(n) || Number(n) < 1) {
    return usage(`"${args.slice(1).join(' ')}" is not allowed here; only backup-integrity takes a count (the newest N backups).`, USAGE.drill);
  }
  return { name: 'drill', scenario, newest: Number(n) };
}

function parseDrills(args: string[]): VaultCommand | UsageError {
  const [arg, ...extra] = args;
  if (arg === undefined) return { name: 'drills', limit: LIST_DEFAULT };
  const n = Number(arg);
  if (extra.length > 0 || !/^\d+$/.test(arg) || n < 1 || n > LIST_MAX) return usage(`"${args.join(' ')}" is not a count from 1 to ${LIST_MAX}.`, USAGE.drills);
  return { name: 'drills', limit: n };
}

function parseReport(args: string[]): VaultCommand | UsageError {
  const [from, to, ...extra] = args;
  if (extra.length > 0) return usage(`"${args.join(' ')}" has too many words.`, USAGE.report);
  for (const d of [from, to]) {
    if (d !== undefined && !isDate(d)) return usage(`"${d}" is not a date.`, USAGE.report);
  }
  if (from && to && from > to) return usage(`${from} is after ${to}; give the earlier date first.`, USAGE.report);
  return { name: 'report', ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

function noArguments(name: string, rest: string[]): UsageError | undefined {
  return rest.length === 0 ? undefined : usage(`\`${name}\` takes no arguments (got "${rest.join(' ')}").`, `/vault ${name}`);
}

function reasonOf(words: string[]): { reason?: string } {
  const reason = words.join(' ').trim();
  return reason ? { reason } : {};
}

function usage(problem: string, form: string): UsageError {
  return { name: 'usage', problem, usage: form };
}
