/**
 * The npm package works as published: `npm pack` of this repository, installed into an empty
 * project the way an operator installs it (`npm install <tarball>`, dependencies from the
 * registry, `--prefer-offline` so the local cache answers first), then `vault-chatops help` and
 * `vault-chatops migrate` from that project. This proves `files`, `bin`, the compiled output in
 * dist/ and the migrations ship, and that every runtime dependency is declared as one.
 *
 * The tarball is packed with --ignore-scripts from the dist/ that `npm ci` built (its `prepare`),
 * so the test does not rebuild the working tree under other tests' feet.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIGRATIONS = readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).sort();
const INSTALL_TIMEOUT_MS = 300_000;

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe('the npm package', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vc-pack-'));
  const project = join(tmp, 'project');
  let packed: PackResult;
  const bin = join(project, 'node_modules', '.bin', 'vault-chatops');
  // The machine's environment (registry, proxy and CA settings), less the outer `npm test`'s
  // lifecycle variables and LOG_LEVEL: what an operator's shell has.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_lifecycle_|npm_package_|npm_command$|INIT_CWD$|LOG_LEVEL$|VITEST|NODE_OPTIONS$)/.test(k)),
  ) as Record<string, string>;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm ci does) before this test');
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, env: { ...process.env }, maxBuffer: 64 * 1024 * 1024 });
    packed = (JSON.parse(stdout) as PackResult[])[0] as PackResult;
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'try-vault-chatops', version: '1.0.0', private: true }, null, 2));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(tmp, packed.filename)], {
      cwd: project,
      env,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('ships the bin, the compiled code and every migration, and no sources or tests', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('bin/vault-chatops.js');
    expect(paths).toContain('dist/cli.js');
    for (const m of MIGRATIONS) expect(paths).toContain(`migrations/${m}`);
    expect(paths.filter((p) => p.startsWith('src/') || p.startsWith('test/') || p.startsWith('.ci/'))).toEqual([]);
  });

  it('runs `vault-chatops help` from a fresh project', async () => {
    const { stdout, stderr } = await run(bin, ['help'], { cwd: project, env });
    expect(stderr).toBe('');
    for (const command of ['start', 'migrate', 'backup run', 'restore']) expect(stdout).toContain(command);
  });

  it('runs `vault-chatops migrate`: creates the database with every migration, and a second run applies nothing', async () => {
    const dataDir = join(tmp, 'data');
    const first = await run(bin, ['migrate'], { cwd: project, env: { ...env, DATA_DIR: dataDir } });
    expect(first.stderr).toBe('');
    const lines = first.stdout.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual(MIGRATIONS.map((m) => `applied ${m}`));
    expect(lines.at(-1)).toBe(`database ${join(dataDir, 'vault-chatops.db')} is up to date (${MIGRATIONS.length} migrations)`);
    expect(existsSync(join(dataDir, 'vault-chatops.db'))).toBe(true);
    const second = await run(bin, ['migrate'], { cwd: project, env: { ...env, DATA_DIR: dataDir } });
    expect(second.stdout.trim().split('\n')).toEqual([lines.at(-1)]);
  });
});

