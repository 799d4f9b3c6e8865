/**
 * @module audit/key-epochs
 * A log's key can change: `vault-chatops audit adopt-key` appends an `audit.key-adopted` row,
 * hashed with the new key, that records the key before (`previous`, a fingerprint or `unkeyed`)
 * and the key from then on (`adopted`). The rows between two such rows form an epoch written with
 * one key. Verification checks each epoch with its key: unkeyed epochs with plain SHA-256, the last
 * epoch always with the AUDIT_KEY given (so a wrong key still fails), an earlier keyed epoch with a
 * previous key when one is at hand, and otherwise its links only — said so, never silently.
 */
import { createHmac } from 'node:crypto';

export const KEY_ADOPTED_EVENT = 'audit.key-adopted';
export const UNKEYED = 'unkeyed';

const FINGERPRINT_INPUT = 'vault-chatops audit key fingerprint';

/** `hmac:<16 hex>` for a key, `unkeyed` for none: safe to store and show, it reveals nothing of the key. */
export function keyFingerprint(key: Buffer | undefined): string {
  return key === undefined ? UNKEYED : `hmac:${createHmac('sha256', key).update(FINGERPRINT_INPUT).digest('hex').slice(0, 16)}`;
}

export interface KeyChange {
  /** The `audit.key-adopted` row. */
  id: number;
  from: string;
  to: string;
}

export interface UncheckedRange {
  fromId: number;
  toId: number;
  fingerprint: string;
}

interface Epoch {
  fromId: number;
  fingerprint: string;
}

/** Reads the key changes out of the adoption rows' details (as stored, canonical JSON). */
export function keyChanges(rows: ReadonlyArray<{ id: number; details: string }>): KeyChange[] {
  return rows.map((row) => {
    let details: Record<string, unknown> = {};
    try {
      details = JSON.parse(row.details) as Record<string, unknown>;
    } catch {
      // An edited row: the chain check names it; here it only ends an epoch.
    }
    return { id: row.id, from: String(details['previous'] ?? 'unknown'), to: String(details['adopted'] ?? 'unknown') };
  });
}

/**
 * Which key each row is checked with. `current` is the key the caller holds for the newest epoch;
 * `others` are earlier keys at hand (e.g. --previous-key-file).
 */
export function keyPlan(
  changes: readonly KeyChange[],
  current: Buffer | undefined,
  others: readonly Buffer[],
): { keyAt: (id: number) => { key?: Buffer } | 'unchecked'; unchecked: (lastId: number) => UncheckedRange[] } {
  const epochs: Epoch[] = [{ fromId: 1, fingerprint: changes[0]?.from ?? keyFingerprint(current) }, ...changes.map((c) => ({ fromId: c.id, fingerprint: c.to }))];
  const known = new Map<string, Buffer>();
  for (const k of others) known.set(keyFingerprint(k), k);
  const resolve = (epoch: Epoch, last: boolean): { key?: Buffer } | 'unchecked' => {
    if (last) return current === undefined ? {} : { key: current };
    if (epoch.fingerprint === UNKEYED) return {};
    if (epoch.fingerprint === keyFingerprint(current) && current !== undefined) return { key: current };
    const key = known.get(epoch.fingerprint);
    return key === undefined ? 'unchecked' : { key };
  };
  const resolved = epochs.map((e, i) => resolve(e, i === epochs.length - 1));
  const epochIndex = (id: number): number => {
    let i = 0;
    while (i + 1 < epochs.length && (epochs[i + 1]?.fromId ?? Infinity) <= id) i += 1;
    return i;
  };
  return {
    keyAt: (id) => resolved[epochIndex(id)] ?? 'unchecked',
    unchecked: (lastId) =>
      epochs.flatMap((e, i) => {
        const toId = Math.min(lastId, (epochs[i + 1]?.fromId ?? lastId + 1) - 1);
        return resolved[i] === 'unchecked' && toId >= e.fromId ? [{ fromId: e.fromId, toId, fingerprint: e.fingerprint }] : [];
      }),
  };
}
