/** @module cli/help `vault-chatops help`: every command's usage and summary. */
import type { Command } from './registry.js';

/** Usages longer than this get their summary on the next line, so the list stays narrow. */
const COLUMN = 36;

export function helpCommand(list: () => readonly Command[]): Command {
  return {
    name: 'help',
    usage: 'help',
    summary: 'show the commands',
    run(_args, ctx) {
      const commands = list();
      const width = Math.min(COLUMN, Math.max(...commands.map((c) => c.usage.length)));
      ctx.out('usage: vault-chatops <command>');
      ctx.out('');
      for (const c of commands) {
        if (c.usage.length <= width) ctx.out(`  ${c.usage.padEnd(width)}  ${c.summary}`);
        else ctx.out(`  ${c.usage}\n  ${' '.repeat(width)}  ${c.summary}`);
      }
      ctx.out('');
      ctx.out('Configuration comes from environment variables (see the README); exit code 0 means success.');
      return 0;
    },
  };
}
