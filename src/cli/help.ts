/**
 * @module cli/help
 * `vault-chatops help [command]`: every command's usage and summary, or one command's (or one
 * group's, e.g. `backup`) full help. `<command> --help` prints the same text as `help <command>`.
 */
import type { Command } from './registry.js';
import { UsageError } from './usage-error.js';

/** Usages longer than this get their summary on the next line, so the list stays narrow. */
const COLUMN = 36;

/** The listing lines for `commands`, usage and summary aligned. */
export function listingLines(commands: readonly Command[]): string[] {
  const width = Math.min(COLUMN, Math.max(...commands.map((c) => c.usage.length)));
  return commands.map((c) => (c.usage.length <= width ? `  ${c.usage.padEnd(width)}  ${c.summary}` : `  ${c.usage}\n  ${' '.repeat(width)}  ${c.summary}`));
}

/** What `<command> --help` prints: usage, summary, each flag, then the command's details. */
export function commandHelpLines(command: Command): string[] {
  const lines = [`usage: vault-chatops ${command.usage}`, '', `  ${command.summary}`];
  const flags: Array<[string, string]> = Object.entries(command.flags ?? {}).map(([name, spec]) => [
    spec.value === undefined ? `--${name}` : `--${name} ${spec.value}`,
    spec.help ?? '',
  ]);
  flags.push(['--help', 'show this help']);
  const width = Math.max(...flags.map(([form]) => form.length));
  lines.push('', 'options:', ...flags.map(([form, help]) => `  ${form.padEnd(width)}  ${help}`.trimEnd()));
  if (command.details?.length) lines.push('', ...command.details.map((d) => (d === '' ? '' : `  ${d}`)));
  return lines;
}

/** What `backup --help` prints: the group's subcommands. */
export function groupHelpLines(group: string, commands: readonly Command[]): string[] {
  return [`usage: vault-chatops ${group} <subcommand>`, '', ...listingLines(commands), '', `Run "vault-chatops ${group} <subcommand> --help" for one subcommand's options.`];
}

export function helpCommand(list: () => readonly Command[]): Command {
  return {
    name: 'help',
    usage: 'help [command]',
    summary: 'show the commands, or one command in full',
    args: { max: 3 },
    run(args, ctx) {
      const commands = list();
      if (args.positionals.length > 0) {
        const words = args.positionals.join(' ');
        const exact = commands.find((c) => c.name === words);
        const group = commands.filter((c) => c.name.startsWith(`${words} `));
        if (exact === undefined && group.length === 0) throw new UsageError(`no command "${words}"; run "vault-chatops help" for the list`);
        for (const line of exact ? commandHelpLines(exact) : groupHelpLines(words, group)) ctx.out(line);
        return 0;
      }
      ctx.out('usage: vault-chatops <command> [options]');
      ctx.out('');
      for (const line of listingLines(commands)) ctx.out(line);
      ctx.out('');
      ctx.out('Every command takes --help; "vault-chatops --version" prints the version.');
      ctx.out('Configuration comes from environment variables (see the README).');
      ctx.out('Exit codes: 0 success, 1 failure (one line on stderr says why), 2 bad usage or configuration.');
      return 0;
    },
  };
}
