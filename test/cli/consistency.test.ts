/**
 * The CLI behaves the same everywhere: every command and group answers --help, --version works,
 * and every usage error (a repeated flag, a malformed date or anchor, an unknown target) is one
 * line and exit 2 — checked before anything is opened, so no configuration is needed to see it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/cli/commands.js';
import { runCli } from './run-cli.js';

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('help', () => {
  it('every command answers --help with its usage, its options and exit 0', async () => {
    for (const command of registry.list()) {
      const run = await runCli([...command.name.split(' '), '--help'], {});
      expect(run.code, command.name).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')[0]).toBe(`usage: vault-chatops ${command.usage}`);
      expect(run.stdout).toMatch(/^ {2}--help +show this help$/m);
      for (const flag of Object.keys(command.flags ?? {})) expect(run.stdout, `${command.name} --${flag}`).toMatch(new RegExp(`^  --${flag}\\b`, 'm'));
    }
  });

  it('every group answers --help with its subcommands', async () => {
    const groups = new Set(registry.list().filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0] ?? ''));
    expect([...groups]).toEqual(expect.arrayContaining(['backup', 'audit', 'retention']));
    for (const group of groups) {
      const run = await runCli([group, '--help'], {});
      expect(run.code, group).toBe(0);
      expect(run.stdout.split('\n')[0]).toBe(`usage: vault-chatops ${group} <subcommand>`);
      for (const c of registry.group(group)) expect(run.stdout).toContain(`  ${c.usage}`);
      const viaHelp = await runCli(['help', group], {});
      expect(viaHelp.stdout).toBe(run.stdout);
    }
  });

  it('restore --help explains confirmation and --yes', async () => {
    const run = await runCli(['restore', '--help'], {});
    expect(run.stdout).toMatch(/^ {2}--yes +do not ask for confirmation \(required without a terminal\)$/m);
    expect(run.stdout).toMatch(/^ {2}--target <prod\|staging> +which Vault to overwrite: prod \(or production\) or staging$/m);
  });

  it('help lists every command and how exit codes read', async () => {
    const run = await runCli(['help'], {});
    for (const c of registry.list()) expect(run.stdout).toContain(c.usage);
    expect(run.stdout).toContain('Exit codes: 0 success, 1 failure (one line on stderr says why), 2 bad usage or configuration.');
  });
});

it('--version prints the package version', async () => {
  const run = await runCli(['--version'], {});
  expect(run.code).toBe(0);
  expect(run.stdout).toBe(`vault-chatops ${version}\n`);
});

describe('usage errors are one line and exit 2', () => {
  it.each([
    [['backup', 'list', '--kind', 'daily', '--kind', 'manual'], 'vault-chatops: --kind is given twice ("daily", "manual"); give it once; usage: vault-chatops backup list [--kind daily|monthly|manual|pre-restore] [--json]'],
    [['restore', 'latest', '--target', 'prod', '--target', 'staging'], /^vault-chatops: --target is given twice \("prod", "staging"\); give it once; usage: /],
    [['retention', 'run', '--dry-run', '--dry-run'], /^vault-chatops: --dry-run is given twice; give it once; usage: vault-chatops retention run/],
    [['backup', 'verify', '2025-02-30'], /^vault-chatops: "2025-02-30" is not a calendar date; expected <key\|latest\|YYYY-MM-DD>, e\.g\. 2025-11-26; usage: vault-chatops backup verify/],
    [['backup', 'show', 'yesterday'], /^vault-chatops: "yesterday" is not a date, "latest" or an object key; expected <key\|latest\|YYYY-MM-DD>/],
    [['restore', 'latest', '--target', 'live'], /^vault-chatops: --target must be prod \(or production\) or staging, not "live"; usage: /],
    [['audit', 'verify', '--anchor', 'nonsense'], /^vault-chatops: The audit anchor must look like <id>:<64 hex characters>/],
    [['backup', 'list', '--kind', 'hourly'], 'vault-chatops: --kind must be one of daily, monthly, manual, pre-restore, not "hourly"'],
    [['backup', 'list', '--json=yes'], /^vault-chatops: --json takes no value; usage: /],
    [['help', 'nothing'], 'vault-chatops: no command "nothing"; run "vault-chatops help" for the list'],
  ])('%j', async (argv, expected) => {
    const run = await runCli(argv, {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.errLines).toHaveLength(1);
    if (typeof expected === 'string') expect(run.errLines[0]).toBe(expected);
    else expect(run.errLines[0]).toMatch(expected);
  });
});
