/** @module cli/backup-list `vault-chatops backup list [--kind K] [--json]`: the backups in the store, newest first. */
import { parseObjectKey, byNewest } from '../core/backup/object-names.js';
import { formatBytes, formatWhen, plural } from '../format/human.js';
import { parseListKind } from './args.js';
import { withEngine } from './engine.js';
import { JSON_FLAG, printJson, wantsJson } from './json-output.js';
import type { Command } from './registry.js';

export const backupListCommand: Command = {
  name: 'backup list',
  usage: 'backup list [--kind daily|monthly|manual|pre-restore] [--json]',
  summary: 'list the backups in the store, newest first, with size and whether the catalogue verified them',
  details: [
    'Reads only the store and the local catalogue: it works while Vault is down.',
    '"verified" means this bot wrote and read back the object; "not in catalogue" means this',
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
      const rows = found.map((name) => {
        const entry = engine.catalogue.get(name.key);
        return {
          key: name.key, kind: name.kind, takenAt: name.takenAt.toISOString(), storedBytes: sizes.get(name.key) ?? 0,
          verifiedAt: entry?.verifiedAt ?? null, inCatalogue: entry !== undefined,
        };
      });
      if (wantsJson(args)) return printJson(ctx, { store: engine.store.location, backups: rows });
      if (rows.length === 0) ctx.out(`no ${kind ? `${kind} ` : ''}backups in ${engine.store.location}`);
      const now = new Date();
      for (const r of rows) {
        ctx.out(`${r.key}  ${formatBytes(r.storedBytes)}  ${r.verifiedAt ? `verified ${formatWhen(r.verifiedAt, now)}` : 'not in catalogue'}`);
      }
      if (rows.length > 0) ctx.out(`${plural(rows.length, kind ? `${kind} backup` : 'backup')} in ${engine.store.location}`);
      return 0;
    }, { vault: 'offline' });
  },
};
