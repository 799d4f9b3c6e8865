/** @module cli/backup-list `vault-chatops backup list [--kind K]`: the backups in the store, newest first. */
import { parseObjectKey, byNewest } from '../core/backup/object-names.js';
import { formatBytes } from '../core/restore/restore-plan.js';
import { parseKind } from './backup-run.js';
import { withEngine } from './engine.js';
import type { Command } from './registry.js';

export const backupListCommand: Command = {
  name: 'backup list',
  usage: 'backup list [--kind daily|monthly|manual]',
  summary: 'list the backups in the store, newest first, with size and whether the catalogue verified them',
  flags: { kind: { value: '<daily|monthly|manual>' } },
  run: (args, ctx) => {
    const kind = parseKind(args.flags.kind);
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
      if (found.length === 0) ctx.out(`no backups in ${engine.store.location}`);
      for (const name of found.sort(byNewest)) {
        const verified = engine.catalogue.get(name.key) ? 'verified' : 'not in catalogue';
        ctx.out(`${name.key}  ${formatBytes(sizes.get(name.key) ?? 0)}  ${verified}`);
      }
      return 0;
    });
  },
};
