/**
 * @module cli/usage-error
 * Failures of the command line itself (unknown command or flag, bad argument, invalid
 * configuration): exit code 2, printed as they are, one line each.
 */
export class UsageError extends Error {
  readonly lines: string[];

  constructor(lines: string | string[]) {
    const all = typeof lines === 'string' ? [lines] : lines;
    super(all.join('\n'));
    this.name = 'UsageError';
    this.lines = all;
  }
}
