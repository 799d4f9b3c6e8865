/** @module cli/backup-verify `vault-chatops backup verify <key|latest>`: proves a stored backup would restore. */
import { withEngine } from './engine.js';
import type { Command } from './registry.js';

export const backupVerifyCommand: Command = {
  name: 'backup verify',
  usage: 'backup verify <key|latest|YYYY-MM-DD>',
  summary: 'download a backup, check its sha256, decrypt and authenticate every chunk, validate the snapshot',
  args: { min: 1, max: 1 },
  run: (args, ctx) =>
    withEngine(ctx, async (engine) => {
      const result = await engine.verify(args.positionals[0] ?? 'latest');
      ctx.out(`${result.plan.key}: intact (${result.format}, ${result.plainBytes} snapshot bytes, plain sha256 ${result.plainSha256.slice(0, 12)}…)`);
      return 0;
    }),
};
