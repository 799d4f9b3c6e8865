/**
 * @module bench/ack-latency
 * How fast the bot acknowledges slash commands (Slack gives 3 s; target p99 < 100 ms).
 *
 * The bot runs as in production — `start()` from `src/bot/start.ts`, its own process, HTTP
 * receiver, SQLite, scheduler — configured by environment to talk to the fake Slack Web API and
 * the Vault test server, which live in this process with the load driver. Each round fires N
 * concurrent signed `/vault help` (then `/vault status`) commands and times request → HTTP 200.
 * Bolt answers at `ack()` (processBeforeResponse false), so that time is the ack. Two numbers
 * per command: inside the bot (Node's HTTP diagnostics channels, request parsed → answer sent) and
 * the sender's HTTP round trip, which also pays for this process's loop (fake Slack, Vault).
 *
 *   node --import tsx bench/ack-latency.ts [concurrency=50] [rounds=5]
 *   BENCH_PROF=1 …   writes a CPU profile of the bot to /tmp/prof
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FakeSlack } from '../test/support/slack/index.js';
import { buildSlashCommand, encodeForm } from '../test/support/slack/payloads.js';
import { signatureHeaders } from '../test/support/slack/signing.js';

const SIGNING_SECRET = 'bench-signing-secret';
const USERS = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];

/**
 * The child: the production entry point, told its configuration by environment. Node's own HTTP
 * diagnostics channels time each request inside the bot, from its arrival to the end of the
 * answer, so the driver's event loop (shared with the fakes) does not count against the bot.
 */
async function runBot(): Promise<void> {
  const started = new WeakMap<IncomingMessage, number>();
  let served: number[] = [];
  subscribe('http.server.request.start', (m) => started.set((m as { request: IncomingMessage }).request, performance.now()));
  subscribe('http.server.response.finish', (m) => {
    const { request } = m as { request: IncomingMessage; response: ServerResponse };
    const t = started.get(request);
    if (t !== undefined && request.url === '/slack/events') served.push(performance.now() - t);
  });
  process.on('message', (msg) => {
    if (msg === 'served') {
      process.send?.({ served });
      served = [];
    }
  });
  const { loadConfig } = await import('../src/core/config/index.js');
  const { openDatabase } = await import('../src/core/db/index.js');
  const { createLogger } = await import('../src/core/logger.js');
  const { start } = await import('../src/bot/start.js');
  const loaded = loadConfig(process.env, ['slack', 'vault', 'backup']);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const logger = createLogger({ level: 'warn' });
  const db = openDatabase(loaded.config.dataDir, { logger });
  const bot = await start({ config: loaded.config, logger, db });
  process.send?.({ port: bot.port });
}

/** Asks the bot for its own timings since the last ask. */
function servedTimes(child: ChildProcess): Promise<number[]> {
  return new Promise((resolve) => {
    child.once('message', (msg) => resolve((msg as { served: number[] }).served));
    child.send('served');
  });
}

function summary(samples: number[]): string {
  const ms = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${(ms.at(-1) ?? 0).toFixed(1)} ms`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * One command as Slack sends it, built and signed before the clock starts, so the timed part is
 * only the HTTP exchange (the harness driver also mints and records, which would be timed too).
 */
function prepareCommand(fake: FakeSlack, userId: string, text: string): { body: string; headers: Record<string, string> } {
  const body = encodeForm(
    buildSlashCommand({
      teamId: fake.teamId, teamDomain: fake.teamDomain, appId: fake.appId, userId, userName: userId.toLowerCase(),
      channelId: fake.defaultChannel, channelName: 'vault-ops', verificationToken: 'bench', command: '/vault', text,
      responseUrl: fake.responseUrl({ channel: fake.defaultChannel, user: userId }), triggerId: fake.mintTriggerId(),
    }),
  );
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signatureHeaders(SIGNING_SECRET, Math.floor(Date.now() / 1000), body) };
  return { body, headers };
}

/** POSTs one prepared command on a kept-alive socket; resolves with the status and the elapsed ms. */
function post(url: URL, agent: Agent, cmd: { body: string; headers: Record<string, string> }): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, { method: 'POST', agent, headers: { ...cmd.headers, 'content-length': Buffer.byteLength(cmd.body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(cmd.body);
  });
}

async function runBench(concurrency: number, rounds: number): Promise<void> {
  const { startFakeSlack } = await import('../test/support/slack/index.js');
  const { startVaultServer } = await import('../test/support/vault/server.js');
  const fake = await startFakeSlack();
  const vault = await startVaultServer({ snapshotSize: 32 * 1024 });
  const dataDir = mkdtempSync(join(tmpdir(), 'vc-bench-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let agentToClose: Agent | undefined;
  try {
    child = fork(fileURLToPath(import.meta.url), ['--bot'], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])],
      env: {
        ...process.env,
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_OPS_CHANNEL: fake.defaultChannel,
        SLACK_APPROVERS: USERS.join(','),
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
        BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        DATA_DIR: dataDir,
        AUDIT_KEY: randomBytes(16).toString('hex'),
        PORT: String(port),
      },
    });
    await new Promise<void>((resolve, reject) => {
      child?.once('message', () => resolve());
      child?.once('exit', (code) => reject(new Error(`the bot exited with ${code} before it started`)));
    });
    const url = new URL(`http://127.0.0.1:${port}/slack/events`);
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    agentToClose = agent;
    const fire = (text: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => prepareCommand(fake, USERS[i % USERS.length] ?? 'U0ALICE', text)).map((cmd) => post(url, agent, cmd)));
    // Warm-up: JIT, one socket per concurrent request, SQLite statements, the first respond().
    for (const text of ['help', 'status']) await fire(text, concurrency);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await servedTimes(child);
    console.log(`node ${process.version}, bot in its own process, ${concurrency} concurrent commands × ${rounds} rounds`);
    for (const text of ['help', 'status']) {
      const all: number[] = [];
      let failed = 0;
      for (let round = 0; round < rounds; round += 1) {
        const results = await fire(text, concurrency);
        failed += results.filter((r) => r.status !== 200 || r.ms > 3000).length;
        all.push(...results.map((r) => r.ms));
        // Let the answers (respond()) land, so rounds do not overlap.
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const inBot = await servedTimes(child);
      console.log(`/vault ${text.padEnd(6)} ${all.length} commands, ${failed} failed`);
      console.log(`  ack in the bot (request in → 200 out): ${summary(inBot)}`);
      console.log(`  seen by the sender (HTTP round trip):    ${summary(all)}`);
    }
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    agentToClose?.destroy();
    await Promise.all([fake.stop(), vault.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const main = process.argv.includes('--bot') ? runBot() : runBench(Number(process.argv[2] ?? 50), Number(process.argv[3] ?? 5));
main.catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
