/**
 * @module audit/verify-against-backups
 * `audit verify` as the CLI and Slack run it: the chain is checked against an anchor by default —
 * the `audit-head` written into the newest backup — so deleting the newest rows is reported as
 * truncation instead of passing as an intact, shorter log. Without an anchor a chain cut at its
 * end is still a valid chain; only something kept outside the log can tell.
 *
 * The anchor is the highest of: an anchor given by the person, the newest catalogued backup's
 * `audit-head`, and the newest object in the store's own metadata. The store's copy matters
 * because someone able to delete audit rows can delete catalogue rows in the same database.
 */
import type { BackupStore } from '../store/backup-store.js';
import { byNewest, parseObjectKey, type ParsedObjectName } from '../backup/object-names.js';
import { parseAuditHead } from './anchor.js';
import type { AuditHead } from './types.js';
import type { AuditVerifyResult } from './verify-chain.js';

export interface AuditAnchor {
  head: AuditHead;
  /** `given` (the person's --anchor), or the backup it was read from. */
  from: 'given' | 'catalogue' | 'store';
  key?: string;
}

export interface AnchorSources {
  given?: AuditHead;
  catalogue?: { newestAuditHead(): { key: string; auditHead: string } | undefined; get(key: string): unknown };
  store?: BackupStore;
}

export type AnchoredVerifyResult<R extends AuditVerifyResult> = R & {
  /** The anchor the chain was checked against; undefined when there was none (no backups yet). */
  anchor?: AuditAnchor;
  /** Why a source could not be read (the store is unreachable…), for a warning line. */
  anchorWarning?: string;
};

/**
 * Runs `verify` (the audit log's own verify, with whatever other options the caller needs) with
 * the strongest anchor the sources hold.
 */
export async function verifyAgainstBackups<R extends AuditVerifyResult>(
  verify: (anchor: AuditHead | undefined) => R,
  sources: AnchorSources,
): Promise<AnchoredVerifyResult<R>> {
  const { anchor, warning } = await strongestAnchor(sources);
  const result: AnchoredVerifyResult<R> = { ...verify(anchor?.head), ...(anchor ? { anchor } : {}), ...(warning ? { anchorWarning: warning } : {}) };
  const broken = result.firstBroken;
  if (broken?.reason === 'truncated' && anchor?.key) {
    const where = anchor.from === 'store' ? `in its metadata in the store` : 'in the catalogue';
    const newDb = anchor.from === 'store' && sources.catalogue && !sources.catalogue.get(anchor.key)
      ? ' That backup is not in this database\'s catalogue: if this database is new, this is expected.'
      : '';
    result.firstBroken = { ...broken, detail: `${broken.detail} (The anchor is the audit-head of the newest backup, ${anchor.key}, ${where}.)${newDb}` };
  }
  return result;
}

async function strongestAnchor(sources: AnchorSources): Promise<{ anchor?: AuditAnchor; warning?: string }> {
  const candidates: AuditAnchor[] = [];
  if (sources.given) candidates.push({ head: sources.given, from: 'given' });
  const catalogued = sources.catalogue?.newestAuditHead();
  const fromCatalogue = catalogued && parsed(catalogued.auditHead);
  if (catalogued && fromCatalogue) candidates.push({ head: fromCatalogue, from: 'catalogue', key: catalogued.key });
  let warning: string | undefined;
  if (sources.store) {
    try {
      const newest = await newestInStore(sources.store);
      const head = newest && parsed(newest.metadata);
      if (newest && head) candidates.push({ head, from: 'store', key: newest.key });
    } catch {
      warning = `could not read the newest backup's audit-head from ${sources.store.location}; checked against ${catalogued ? 'the catalogue' : 'nothing newer than the log itself'}`;
    }
  }
  // The person's anchor wins when given: it is what they asked to check.
  const anchor = sources.given ? candidates[0] : candidates.sort((a, b) => b.head.id - a.head.id)[0];
  return { ...(anchor ? { anchor } : {}), ...(warning ? { warning } : {}) };
}

async function newestInStore(store: BackupStore): Promise<{ key: string; metadata: string } | undefined> {
  const all: ParsedObjectName[] = [];
  for await (const o of store.list()) {
    const p = parseObjectKey(o.key);
    if (p) all.push(p);
  }
  for (const candidate of all.sort(byNewest).slice(0, 3)) {
    const head = (await store.stat(candidate.key))?.metadata['audit-head'];
    if (head) return { key: candidate.key, metadata: head };
  }
  return undefined;
}

function parsed(text: string): AuditHead | undefined {
  try {
    return parseAuditHead(text);
  } catch {
    return undefined;
  }
}
