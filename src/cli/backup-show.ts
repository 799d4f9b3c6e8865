/**
 * @module cli/backup-show
 * `vault-chatops backup show <key|latest|YYYY-MM-DD> [--json]`: everything known about one backup —
 * every metadata field as stored (including `audit-head`, for `audit verify --anchor`, and the
 * source `cluster` when recorded), what the catalogue says and whether it matches the object, and
 * the audit log's history for it (written, verified, restored). Reads the store and the database
 * only: it works while Vault is down.
 */
import type { CatalogueEntry } from '../core/backup/catalogue.js';
import type { BackupEngine } from '../core/backup-engine.js';
import { listRestorable, resolveBackup } from '../core/restore/resolve-backup.js';
import type { StoredObject } from '../core/store/backup-store.js';
import { formatAgo, formatBytes, formatWhen } from '../format/human.js';
import { parseBackupSpec } from './args.js';
import { formatAuditLine } from './audit-tail.js';
import { withEngine } from './engine.js';
import { JSON_FLAG, printJson, wantsJson } from './json-output.js';
import type { Command } from './registry.js';
import { otherBackupsThatDay, sameDayLine } from './same-day.js';

const USAGE = 'backup show <key|latest|YYYY-MM-DD> [--json]';

/** DESIGN §4's keys first, in its order; anything else the object carries after them. */
const KNOWN_KEYS = ['sha256', 'plain-sha256', 'plain-size', 'key-id', 'format', 'vault-version', 'created-at', 'kind', 'audit-head', 'cluster'];

export type CatalogueState =
  | { state: 'verified'; entry: CatalogueEntry }
  | { state: 'mismatch'; entry: CatalogueEntry; differs: string[] }
  | { state: 'deleted'; entry: CatalogueEntry }
  | { state: 'unknown' };

/** The catalogue's word on a stored object: its sha256 and size must be what was verified. */
export function catalogueState(object: StoredObject, entry: CatalogueEntry | undefined): CatalogueState {
  if (entry === undefined) return { state: 'unknown' };
  if (entry.deletedAt !== null) return { state: 'deleted', entry };
  const differs = [
    ...(entry.sha256 !== object.metadata['sha256'] ? ['sha256'] : []),
    ...(entry.storedBytes !== object.size ? ['size'] : []),
  ];
  return differs.length > 0 ? { state: 'mismatch', entry, differs } : { state: 'verified', entry };
}

function describeCatalogue(c: CatalogueState, now: Date): string {
  switch (c.state) {
    case 'verified': return `verified ${formatWhen(c.entry.verifiedAt, now)}; its sha256 and size match the object`;
    case 'mismatch': return `DIFFERS from the object (${c.differs.join(', ')}): the stored bytes are not what was verified; do not restore it`;
    case 'deleted': return `recorded as deleted ${formatWhen(c.entry.deletedAt ?? '', now)}, yet the object is still in the store`;
    case 'unknown': return 'not in this database\'s catalogue (written by another bot or before this database); run "backup verify" on it';
  }
}

function orderedMetadata(metadata: Record<string, string>): Array<[string, string]> {
  const known = KNOWN_KEYS.filter((k) => metadata[k] !== undefined).map((k): [string, string] => [k, metadata[k] ?? '']);
  const rest = Object.keys(metadata).filter((k) => !KNOWN_KEYS.includes(k)).sort().map((k): [string, string] => [k, metadata[k] ?? '']);
  return [...known, ...rest];
}

/**
 * `latest` for showing: the newest backup the catalogue verified. An object still being written
 * (uploaded, not yet verified and catalogued) is named, not shown as the latest backup. With no
 * catalogued backup at all (a fresh database) it is undefined, and the newest object is shown with
 * its catalogue line saying it is not catalogued.
 */
async function latestCatalogued(engine: BackupEngine): Promise<{ object: StoredObject; skipped: string[] } | undefined> {
  const all = await listRestorable(engine.store);
  const index = all.findIndex((p) => {
    const entry = engine.catalogue.get(p.key);
    return entry !== undefined && entry.deletedAt === null;
  });
  if (index < 0) return undefined;
  const object = await engine.store.stat(all[index]!.key);
  if (object === undefined) return undefined;
  return { object, skipped: all.slice(0, index).map((p) => p.key) };
}

export const backupShowCommand: Command = {
  name: 'backup show',
  usage: USAGE,
  summary: 'everything known about one backup: metadata (audit-head, cluster …), catalogue state, verification history',
  details: [
    'A date shows that day\'s daily backup (the one a restore of that date uses) and names the others.',
    'audit-head is the anchor for "audit verify --anchor <id:hash>".',
    'Reads the store and the database only: it works while Vault is down.',
  ],
  flags: { ...JSON_FLAG },
  args: { min: 1, max: 1 },
  run: (args, ctx) => {
    const spec = parseBackupSpec(args.positionals[0], USAGE);
    return withEngine(ctx, async (engine) => {
      const latest = spec === 'latest' ? await latestCatalogued(engine) : undefined;
      const { object } = latest ?? (await resolveBackup(engine.store, spec));
      const catalogue = catalogueState(object, engine.catalogue.get(object.key));
      const history = ctx.audit().aboutTarget(object.key);
      const sameDay = await otherBackupsThatDay(engine.store, spec, object.key);
      if (wantsJson(args)) {
        return printJson(ctx, {
          key: object.key, store: engine.store.location, storedBytes: object.size, metadata: object.metadata,
          catalogue: { state: catalogue.state, ...(catalogue.state === 'unknown' ? {} : { entry: catalogue.entry }), ...(catalogue.state === 'mismatch' ? { differs: catalogue.differs } : {}) },
          history, sameDay, ...(latest?.skipped.length ? { newerNotCatalogued: latest.skipped } : {}),
        });
      }
      const now = new Date();
      const metadata = orderedMetadata(object.metadata);
      const width = Math.max(12, ...metadata.map(([k]) => k.length));
      if (latest?.skipped.length) {
        ctx.out(`note       newer ${latest.skipped.join(', ')} ${latest.skipped.length === 1 ? 'is' : 'are'} not in the catalogue (still being written and verified, or not taken by this bot); showing the newest catalogued backup`);
      }
      ctx.out(`backup     ${object.key}`);
      ctx.out(`store      ${engine.store.location}`);
      ctx.out(`size       ${formatBytes(object.size)} stored`);
      ctx.out(`catalogue  ${describeCatalogue(catalogue, now)}`);
      ctx.out('metadata:');
      if (metadata.length === 0) ctx.out('  (none: a foreign or legacy object; it is read as the legacy format)');
      for (const [k, v] of metadata) {
        const extra = k === 'created-at' ? `  (${formatAgo(v, now)})` : k === 'plain-size' && /^\d+$/.test(v) ? `  (${formatBytes(Number(v))})` : '';
        ctx.out(`  ${k.padEnd(width)}  ${v}${extra}`);
      }
      if (object.metadata['cluster'] === undefined) ctx.out(`  ${'cluster'.padEnd(width)}  not recorded (written before the source cluster was recorded)`);
      ctx.out('history (audit log):');
      if (history.length === 0) ctx.out('  no audit rows name this backup in this database');
      for (const row of history) ctx.out(`  ${formatAuditLine(row)}`);
      const also = sameDayLine(spec, sameDay);
      if (also) ctx.out(also);
      return 0;
    }, { vault: 'offline' });
  },
};
