/**
 * @module cli/confirm
 * Asking the person at the terminal before a command changes something that cannot be undone.
 * The question goes to stderr (stdout stays the result); the answer is one line from stdin, and
 * only `yes` goes on. End of input (Ctrl-D, a closed pipe) is a no.
 */
import { createInterface } from 'node:readline';
import type { CliContext } from './context.js';

export async function askYes(ctx: CliContext, question: string): Promise<boolean> {
  const input = ctx.io.stdin;
  if (input === undefined) return false;
  ctx.io.stderr.write(`${question} Type "yes" to go on: `);
  const lines = createInterface({ input, terminal: false });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      lines.once('line', (line) => resolve(line));
      lines.once('close', () => resolve(undefined));
    });
    if (answer === undefined) ctx.io.stderr.write('\n');
    return answer?.trim().toLowerCase() === 'yes';
  } finally {
    lines.close();
  }
}
