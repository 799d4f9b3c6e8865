/**
 * The bot runs with the V8 memory options the README's "Memory" section measures (without them a
 * 1 GiB backup peaks near 190 MB RSS on Node 26): `npm start` really starts Node with them, this
 * machine's Node accepts them, and the Docker image and the Kubernetes Deployment pass the same.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MEMORY_OPTIONS = ['--max-semi-space-size=1', '--no-incremental-marking'];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('the memory options of the bot process', () => {
  it('`npm start` starts the bot under Node with them (and, unconfigured, exits 2 naming what is missing)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vc-start-'));
    // A preload module reports, for every Node process npm starts, its script and the options it started with.
    const report = 'data:text/javascript,process.stderr.write(`\\n${JSON.stringify({script:process.argv[1],options:process.execArgv})}\\n`)';
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, DATA_DIR: dataDir, NODE_OPTIONS: `--import=${report}` };
    try {
      const failed = await run('npm', ['start', '--silent'], { cwd: ROOT, env }).then(() => undefined, (error: unknown) => error as { code: number; stderr: string });
      expect(failed?.code).toBe(2);
      const started = failed!.stderr.split('\n').filter((l) => l.startsWith('{"script"')).map((l) => JSON.parse(l) as { script: string; options: string[] });
      const bot = started.find((p) => p.script.endsWith(join('bin', 'vault-chatops.js')));
      expect(bot?.options).toEqual(MEMORY_OPTIONS);
      expect(failed!.stderr).toMatch(/SLACK_BOT_TOKEN/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the Docker image and the Kubernetes Deployment start Node with the same options', () => {
    const node = ['node', ...MEMORY_OPTIONS, 'bin/vault-chatops.js'].map((a) => `"${a}"`).join(', ');
    expect(read('Dockerfile')).toMatch(new RegExp(`^CMD \\[${node.replaceAll('.', '\\.')}, "start"\\]$`, 'm'));
    expect(read('deploy/kubernetes/deployment.yaml')).toContain(`command: [${node}]`);
  });
});
