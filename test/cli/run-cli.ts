// Runs the CLI in-process exactly as bin/vault-chatops.js does, with captured output.
import { main } from '../../src/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the trailing empty one. */
  errLines: string[];
}

export async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
    // Never a terminal here, whatever runs the tests: no prompts, no progress bars.
    interactive: false,
  });
  return { code, stdout, stderr, errLines: stderr.split('\n').filter((l) => l !== '') };
}
