/** @module cli/backup-list `vault-chatops backup list [--kind K] [--json]`: the backups in the store, newest first. */
import { parseObjectKey, byNewest } from '../core/backup/object-names.js';
import { formatBytes, formatWhen, plural } from '../format/human.js';
import { parseListKind } from './args.js';
import { catalogueState } from './backup-show.js';
import { withEngine } from './engine.js';
import { JSON_FLAG, printJson, wantsJson } from './json-output.js';
import type { Command } from './registry.js';

export const backupListCommand: Command = {
  name: 'backup list',
  usage: 'backup list [--kind daily|monthly|manual|pre-restore] [--json]',
  summary: 'list the backups in the store, newest first, with size and whether the catalogue verified them',
  details: [
    'Reads only the store and the local catalogue: it works while Vault is down.',
    '"verified" means this bot wrote and read back the object; "DIFFERS from catalogue" means the object\'s size',
    'or sha256 is not what was verified (swapped or damaged); "not in catalogue" means this',
    'database has no record of it (another bot, a restored database): check it with "backup verify".',
  ],
  flags: { kind: { value: '<daily|monthly|manual|pre-restore>', help: 'only backups of this kind' }, ...JSON_FLAG },
  run: (args, ctx) => {
    const kind = parseListKind(args.flags.kind);
    return withEngine(ctx, async (engine) => {
      const found = [];
      const sizes = new Map<string, number>();
      for await (const o of engine.store.list(kind ? `${kind}/` : undefined)) {
        const name = parseObjectKey(o.key);
        if (name && (!kind || name.kind === kind)) {
          found.push(name);
          sizes.set(o.key, o.size);
        }
      }
      found.sort(byNewest);
      const rows = [];
      for (const name of found) {
        const entry = engine.catalogue.get(name.key);
        const size = sizes.get(name.key) ?? 0;
        // "verified" only while the object is still what was verified: a swapped object (an older
        // backup copied over this name, its sidecar rewritten) must not read as verified.
        let differs: string[] = [];
        if (entry !== undefined && entry.deletedAt === null) {
          const object = await engine.store.stat(name.key).catch(() => undefined);
          const state = catalogueState(object ?? { key: name.key, size, metadata: {} }, entry);
          differs = state.state === 'mismatch' ? state.differs : [];
          if (object === undefined) differs = differs.filter((d) => d !== 'sha256');
        }
        rows.push({
          key: name.key, kind: name.kind, takenAt: name.takenAt.toISOString(), storedBytes: size,
          verifiedAt: differs.length === 0 ? (entry?.verifiedAt ?? null) : null, inCatalogue: entry !== undefined,
          ...(differs.length > 0 ? { differsFromCatalogue: differs } : {}),
        });
      }
      if (wantsJson(args)) return printJson(ctx, { store: engine.store.location, backups: rows });
      if (rows.length === 0) ctx.out(`no ${kind ? `${kind} ` : ''}backups in ${engine.store.location}`);
      const now = new Date();
      for (const r of rows) {
        const state = r.differsFromCatalogue
          ? `DIFFERS from catalogue (${r.differsFromCatalogue.join(', ')}): not what was verified; do not restore it`
          : r.verifiedAt ? `verified ${formatWhen(r.verifiedAt, now)}` : 'not in catalogue';
        ctx.out(`${r.key}  ${formatBytes(r.storedBytes)}  ${state}`);
      }
      if (rows.length > 0) ctx.out(`${plural(rows.length, kind ? `${kind} backup` : 'backup')} in ${engine.store.location}`);
      return 0;
    }, { vault: 'offline' });
  },
};
