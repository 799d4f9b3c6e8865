/**
 * @module audit/canonical
 * The exact bytes each audit row's hash covers. Auditors re-implement this, so it is kept small
 * and fixed; changing it would break every existing chain.
 *
 * canonical row = JSON of `{ id, time, actor, event, target, details }` with object keys sorted
 * (by UTF-16 code units, i.e. JavaScript's default sort; all our keys are ASCII) at every depth,
 * arrays in order, no whitespace, `target` null when absent, `details` `{}` when absent.
 *
 * hash = lowercase hex of HMAC-SHA256(key, prev_hash ‖ canonical row) when AUDIT_KEY is set (key =
 * the UTF-8 bytes of AUDIT_KEY), else SHA-256(prev_hash ‖ canonical row); `‖` is plain string
 * concatenation of the 64-hex prev_hash and the canonical row, encoded as UTF-8. The first row's
 * prev_hash is 64 zeros.
 *
 * Python equivalent:
 *   canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
 *   hmac.new(key, (prev_hash + canonical).encode(), "sha256").hexdigest()
 */
import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
export const REDACTED_DETAIL = '[redacted]';

/** Detail keys whose values are dropped whatever the caller passed: defence in depth. */
const SECRET_DETAIL_KEY = /token|secret|password|unseal|share|private/i;

export interface CanonicalFields {
  id: number;
  time: string;
  actor: string;
  event: string;
  target: string | null;
  details: Record<string, unknown>;
}

export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      // defineProperty, not assignment: a key named `__proto__` must stay data that is hashed,
      // not silently become the object's prototype and vanish from the canonical form.
      Object.defineProperty(sorted, key, { value: sortKeysDeep((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return sorted;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

export function canonicalRow(row: CanonicalFields): string {
  const { id, time, actor, event, target, details } = row;
  return canonicalJson({ id, time, actor, event, target, details });
}

export function chainHash(prevHash: string, canonical: string, key?: Buffer): string {
  const mac = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return mac.update(prevHash + canonical, 'utf8').digest('hex');
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_DETAIL_KEY.test(k) ? REDACTED_DETAIL : redact(v)]),
    );
  }
  return value;
}

/**
 * Details as they will be stored: plain JSON (Dates become ISO strings, undefined is dropped,
 * bigints become strings) with secret-looking keys redacted at any depth.
 */
export function normaliseDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {};
  const json = JSON.stringify(details, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return redact(JSON.parse(json)) as Record<string, unknown>;
}
