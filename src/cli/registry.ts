/**
 * @module cli/registry
 * The command table. A command is one object (name, usage, summary, flags, run); adding one is a
 * new file exporting it plus one line in `commands.ts`. Names may be several words
 * (`audit verify`); the longest name matching the start of argv wins.
 */
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

export interface FlagSpec {
  /** Placeholder when the flag takes a value (`--anchor <id:hash>`); absent for a switch (`--force`). */
  value?: string;
  /** One line for the command's `--help`. */
  help?: string;
}

export interface ParsedArgs {
  positionals: string[];
  /** A flag's value, `true` for a switch that was given, undefined when absent. */
  flags: Record<string, string | true | undefined>;
}

export interface Command {
  /** Words that select the command, e.g. `audit verify`. */
  name: string;
  /** Everything after `vault-chatops `, e.g. `audit verify [--anchor <id:hash>]`. */
  usage: string;
  /** One line for `help`. */
  summary: string;
  /** Further lines for the command's `--help` (examples, what the exit codes mean). */
  details?: string[];
  flags?: Record<string, FlagSpec>;
  /** How many positional arguments are accepted (default none). */
  args?: { min?: number; max?: number };
  /** Returns the exit code; throw CoreError for failures a person should read. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number> | number;
}

export type Resolution =
  | { command: Command; rest: string[] }
  /** `backup --help`: the subcommands of a group. */
  | { group: string; commands: Command[] }
  | { error: string };

export class CommandRegistry {
  private readonly commands: Command[] = [];

  register(command: Command): this {
    if (this.commands.some((c) => c.name === command.name)) throw new Error(`command "${command.name}" is registered twice`);
    this.commands.push(command);
    return this;
  }

  list(): readonly Command[] {
    return this.commands;
  }

  /** The commands whose first word is `word` and that have more words (`backup run`, `backup list` …). */
  group(word: string): Command[] {
    return this.commands.filter((c) => c.name.startsWith(`${word} `));
  }

  /** Finds the command argv selects; otherwise the one line to show. */
  resolve(argv: readonly string[]): Resolution {
    let best: Command | undefined;
    let bestLength = 0;
    for (const command of this.commands) {
      const words = command.name.split(' ');
      if (words.length > bestLength && words.every((w, i) => argv[i] === w)) {
        best = command;
        bestLength = words.length;
      }
    }
    if (best) return { command: best, rest: argv.slice(bestLength) };
    const first = argv[0] ?? '';
    const members = this.group(first);
    if (members.length > 0 && argv.length > 1 && argv.slice(1).every((a) => a === '--help' || a === '-h')) return { group: first, commands: members };
    const group = members.map((c) => `"${c.name}"`);
    const second = argv[1];
    if (group.length > 0 && (second === undefined || second.startsWith('-'))) {
      return { error: `"${first}" needs a subcommand: ${group.join(', ')}; run "vault-chatops ${first} --help"` };
    }
    const shown = group.length > 0 ? `${first} ${second ?? ''}`.trim() : first;
    return { error: `unknown command "${shown}"; run "vault-chatops help"` };
  }
}

/** Splits `rest` into flags and positionals following the command's spec. */
export function parseArgs(command: Command, rest: readonly string[]): ParsedArgs {
  const specs = command.flags ?? {};
  const parsed: ParsedArgs = { positionals: [], flags: {} };
  const usage = `usage: vault-chatops ${command.usage}`;
  for (let i = 0; i < rest.length; i += 1) {
    const token = rest[i] ?? '';
    if (token === '--') {
      parsed.positionals.push(...rest.slice(i + 1));
      break;
    }
    if (!token.startsWith('--') || token === '--') {
      parsed.positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown flag "--${name}" for "${command.name}"; ${usage}`);
    if (spec.value === undefined) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value; ${usage}`);
      if (parsed.flags[name] !== undefined) throw new UsageError(`--${name} is given twice; give it once; ${usage}`);
      parsed.flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? token.slice(eq + 1) : rest[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value ${spec.value}; ${usage}`);
    if (parsed.flags[name] !== undefined) throw new UsageError(`--${name} is given twice ("${String(parsed.flags[name])}", "${value}"); give it once; ${usage}`);
    parsed.flags[name] = value;
  }
  const { min = 0, max = 0 } = command.args ?? {};
  const extra = parsed.positionals[max];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for "${command.name}"; ${usage}`);
  if (parsed.positionals.length < min) throw new UsageError(`"${command.name}" needs more arguments; ${usage}`);
  return parsed;
}
