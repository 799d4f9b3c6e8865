/**
 * @module config/fields
 * Small validators for one environment variable each, wrapped as zod fields. A field accepts an
 * unset or blank variable (required-ness depends on the command, see `rules.ts`), trims the value,
 * and reports at most one problem, phrased by `invalidProblem` so no secret is ever quoted.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import type { LogLevel } from './types.js';
import { invalidProblem, quoted, type VariableName } from './variables.js';
import { redactLocation, STORE_LOCATION_FORMS, storeLocationProblem } from '../store/store-location.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; wrong: string; expected?: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(wrong: string, expected?: string): Checked<T> =>
  expected === undefined ? { ok: false, wrong } : { ok: false, wrong, expected };

/** A zod field for one variable: unset/blank → undefined, else the checked value or one issue. */
export function envVar<T>(name: VariableName, check: (value: string, name: VariableName) => Checked<T>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      const value = raw?.trim();
      if (value === undefined || value === '') return undefined;
      const result = check(value, name);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: invalidProblem(name, result.wrong, result.expected) });
      return z.NEVER;
    });
}

export const text = (value: string): Checked<string> => ok(value);

export function httpUrl(value: string, name: VariableName): Checked<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return bad(`is not a URL${quoted(name, value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return bad(`must use http:// or https://${quoted(name, value)}`);
  }
  return ok(value);
}

/** Comma-separated http(s) URLs, e.g. every node of a Vault cluster; duplicates and trailing `/` dropped. */
export function httpUrls(value: string, name: VariableName): Checked<string[]> {
  const urls = value.split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const url of urls) {
    const checked = httpUrl(url, name);
    if (!checked.ok) return bad(`holds an entry that ${checked.wrong}`, 'comma-separated http:// or https:// URLs');
  }
  if (urls.length === 0) return bad('is empty', 'comma-separated http:// or https:// URLs');
  return ok([...new Set(urls.map((u) => u.replace(/\/+$/, '')))]);
}

export function positiveInt(max = Number.MAX_SAFE_INTEGER) {
  return (value: string, name: VariableName): Checked<number> => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > max) {
      return bad(`is not a whole number between 1 and ${max}${quoted(name, value)}`, `a positive integer`);
    }
    return ok(n);
  };
}

export function cron(value: string, name: VariableName): Checked<string> {
  return validateCron(value) ? ok(value) : bad(`is not a valid cron expression${quoted(name, value)}`);
}

export function boolean(value: string, name: VariableName): Checked<boolean> {
  const v = value.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return ok(true);
  if (['false', '0', 'no'].includes(v)) return ok(false);
  return bad(`is not a boolean${quoted(name, value)}`);
}

/** Starts with a fixed prefix; used for tokens, so the value is never quoted. */
export function prefixed(prefix: string, kind: string) {
  return (value: string): Checked<string> =>
    value.startsWith(prefix) ? ok(value) : bad(`does not look like ${kind} (it should start with ${prefix})`);
}

/** A Slack ID such as C0123456789; `first` lists the allowed first letters. */
export function slackId(first: string, kind: string) {
  const pattern = new RegExp(`^[${first}][A-Z0-9]{2,}$`);
  return (value: string, name: VariableName): Checked<string> =>
    pattern.test(value)
      ? ok(value)
      : bad(`is not a ${kind} ID${quoted(name, value)}`, `an ID starting with ${first.split('').join(' or ')}, not a name`);
}

export function slackUserIds(value: string, name: VariableName): Checked<string[]> {
  const ids = value.split(',').map((id) => id.trim()).filter((id) => id !== '');
  const wrong = ids.filter((id) => !/^[UW][A-Z0-9]{2,}$/.test(id));
  if (ids.length === 0 || wrong.length > 0) {
    return bad(`holds entries that are not user IDs${quoted(name, wrong.join(','))}`, `user IDs starting with U or W, not names`);
  }
  return ok([...new Set(ids)]);
}

export function readableFile(value: string, name: VariableName): Checked<string> {
  try {
    if (!statSync(value).isFile()) return bad(`is not a file${quoted(name, value)}`);
    accessSync(value, constants.R_OK);
    return ok(value);
  } catch {
    return bad(`is not a readable file${quoted(name, value)}`);
  }
}

/** `s3://bucket[/prefix]`, `file:///abs/path`, or a folder path; kept as given. */
/**
 * The store module's own check (so start-up refuses exactly what the store would), quoting the
 * value with any credentials, query string or fragment removed.
 */
export function backupStore(value: string): Checked<string> {
  const problem = storeLocationProblem(value);
  return problem === undefined ? ok(value) : bad(`${problem} ("${redactLocation(value)}")`, STORE_LOCATION_FORMS);
}

export function minLength(min: number) {
  return (value: string): Checked<string> =>
    value.length >= min ? ok(value) : bad(`is too short (${value.length} characters)`);
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function logLevel(value: string, name: VariableName): Checked<LogLevel> {
  const level = LOG_LEVELS.find((l) => l === value.toLowerCase());
  return level === undefined ? bad(`is not a log level${quoted(name, value)}`) : ok(level);
}
