/**
 * @module cli/json-output
 * `--json` for any command, one way: add `...JSON_FLAG` to the command's `flags`, build one plain
 * value (objects, arrays, strings, numbers; dates as ISO strings) and hand it to `printJson` when
 * `wantsJson(args)`. The value goes to stdout as one JSON document and nothing else does, so
 * `vault-chatops backup list --json | jq …` works; warnings and failures stay on stderr.
 *
 * @example
 * export const fooCommand: Command = {
 *   name: 'foo list', usage: 'foo list [--json]', summary: '…', flags: { ...JSON_FLAG },
 *   run(args, ctx) {
 *     const rows = load();
 *     if (wantsJson(args)) return printJson(ctx, { rows });
 *     for (const r of rows) ctx.out(r.name);
 *     return 0;
 *   },
 * };
 */
import type { CliContext } from './context.js';
import type { FlagSpec, ParsedArgs } from './registry.js';

export const JSON_FLAG: Record<'json', FlagSpec> = { json: { help: 'print the result as one JSON document on stdout' } };

export function wantsJson(args: ParsedArgs): boolean {
  return args.flags['json'] === true;
}

/** Prints `value` as pretty JSON (2 spaces) and returns exit code `code` (default 0). */
export function printJson(ctx: Pick<CliContext, 'out'>, value: unknown, code = 0): number {
  ctx.out(JSON.stringify(value, null, 2));
  return code;
}
