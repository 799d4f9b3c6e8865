/**
 * @module approvals/frozen-params
 * Parameters are frozen at request time as canonical JSON text plus its sha256, so that what was
 * approved is byte for byte what runs. Canonical means sorted object keys and no whitespace: the
 * same parameters always give the same hash, whatever order a handler built them in.
 */
import { createHash } from 'node:crypto';
import { CoreError, ErrorCode } from '../errors.js';

export interface FrozenParams {
  json: string;
  sha256: string;
}

/** Serialises plain JSON only; anything JSON would silently change (Date, undefined, NaN…) is refused. */
export function freezeParams(params: object): FrozenParams {
  const json = canonicalJson(params, 'params');
  return { json, sha256: sha256Hex(json) };
}

/** Parses stored params and deep-freezes them, so an action cannot alter what the audit shows. */
export function thawParams(json: string): Readonly<Record<string, unknown>> {
  return deepFreeze(JSON.parse(json) as Record<string, unknown>);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function canonicalJson(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notJson(path, 'a number that is not finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, i) => canonicalJson(item, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw notJson(path, `a ${value.constructor?.name ?? 'non-plain'} object`);
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], `${path}.${key}`)}`);
    return `{${entries.join(',')}}`;
  }
  throw notJson(path, typeof value);
}

function notJson(path: string, found: string): CoreError {
  return new CoreError(
    ErrorCode.InvalidInput,
    `Request parameters must be plain JSON; ${path} is ${found}. Pass strings, numbers, booleans, arrays or plain objects.`,
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
