/**
 * @module audit/anchor
 * The chain head as text, `<id>:<hash>`: written into every backup's metadata as `audit-head`, and
 * given back to `audit verify --anchor` to prove no newer rows were deleted since that backup.
 */
import { CoreError, ErrorCode } from '../errors.js';
import type { AuditHead } from './types.js';

const ANCHOR = /^(\d+):([0-9a-f]{64})$/;

/** @example formatAuditHead({ id: 42, hash: 'ab…' }) // '42:ab…' */
export function formatAuditHead(head: AuditHead): string {
  return `${head.id}:${head.hash}`;
}

/** Parses `<id>:<64 hex>`; anything else is CoreError `invalid_input` saying where to find a good one. */
export function parseAuditHead(text: string): AuditHead {
  const match = ANCHOR.exec(text.trim().toLowerCase());
  const id = Number(match?.[1]);
  if (match?.[2] === undefined || !Number.isSafeInteger(id)) {
    throw new CoreError(
      ErrorCode.InvalidInput,
      'The audit anchor must look like <id>:<64 hex characters>, e.g. 42:9f86d081884c7d65…; copy the audit-head value from a backup\'s metadata.',
    );
  }
  return { id, hash: match[2] };
}

/** `42:3f2a9c1b04d7…` — short enough for a status line. */
export function shortAuditHead(head: AuditHead, chars = 12): string {
  return `${head.id}:${head.hash.slice(0, chars)}…`;
}
