/**
 * @module cli
 * `vault-chatops <command>`: runs one command and returns its exit code (0 success, 1 failure,
 * 2 bad usage or configuration). Every failure is one line on stderr; a stack trace appears only
 * with LOG_LEVEL=debug or trace.
 */
import { isCoreError } from './core/errors.js';
import { registry } from './cli/commands.js';
import { CliContext, type CliIo } from './cli/context.js';
import { commandHelpLines, groupHelpLines } from './cli/help.js';
import { parseArgs } from './cli/registry.js';
import { packageVersion } from './cli/version.js';
import { UsageError } from './cli/usage-error.js';

export type { CliIo } from './cli/context.js';

function debugging(io: CliIo): boolean {
  const level = io.env['LOG_LEVEL']?.trim().toLowerCase();
  return level === 'debug' || level === 'trace';
}

function printFailure(error: unknown, ctx: CliContext): number {
  if (error instanceof UsageError) {
    for (const line of error.lines) ctx.err(line);
    return 2;
  }
  if (isCoreError(error)) ctx.err(error.userMessage);
  else ctx.err(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  if (debugging(ctx.io)) {
    ctx.io.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause !== undefined) ctx.io.stderr.write(`caused by: ${cause instanceof Error ? cause.stack : String(cause)}\n`);
  }
  return 1;
}

/** @example process.exitCode = await main(process.argv.slice(2)); */
export async function main(argv: string[], io?: Partial<CliIo>): Promise<number> {
  const ctx = new CliContext({
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? process.env,
    stdin: io?.stdin ?? process.stdin,
    interactive: io?.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true),
  });
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    ctx.out(`vault-chatops ${packageVersion()}`);
    return 0;
  }
  const words = argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' ? ['help'] : argv;
  const found = registry.resolve(words);
  if ('error' in found) {
    ctx.err(found.error);
    return 2;
  }
  if ('group' in found) {
    for (const line of groupHelpLines(found.group, found.commands)) ctx.out(line);
    return 0;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    for (const line of commandHelpLines(command)) ctx.out(line);
    return 0;
  }
  try {
    return await command.run(parseArgs(command, rest), ctx);
  } catch (error) {
    return printFailure(error, ctx);
  } finally {
    ctx.close();
  }
}
