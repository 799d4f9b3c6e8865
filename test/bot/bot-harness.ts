/**
 * @module test/bot/bot-harness
 * The whole bot as production runs it — real Bolt app over HTTP, real SQLite, the real approval
 * and backup engines, a folder store — against the Slack fake and the Vault test server. The
 * only seams are the public ones: SLACK_API_URL, VAULT_ADDR, BACKUP_STORE, a clock, port 0.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBot, type LaunchOptions, type RunningBot } from '../../src/bot/launch.js';
import { loadConfig, type Config } from '../../src/core/config/index.js';
import { openDatabase, type Database } from '../../src/core/db/index.js';
import { createLogger } from '../../src/core/logger.js';
import { createSlackDriver, startFakeSlack, type FakeSlack, type FakeSlackOptions, type SlackDriver, type StoredMessage } from '../support/slack/index.js';
import type { SocketModeServer } from '../support/slack/socket-mode-server.js';
import { startVaultServer } from '../support/vault/server.js';
import type { VaultServerOptions, VaultTestServer } from '../support/vault/types.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const OPS = 'C0VAULTOPS';
export const ONCALL = 'S0ONCALL';
/** Listed approvers. The guest and the bot are listed on purpose: they must be refused as guest and bot. */
export const APPROVERS = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0GUEST', 'U0ROBOT'];

/** Real time shifted to a chosen day, so object names are predictable and durations are real. */
export class TestClock {
  #offsetMs: number;
  constructor(start: Date) {
    this.#offsetMs = start.getTime() - Date.now();
  }
  readonly now = (): Date => new Date(Date.now() + this.#offsetMs);
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export interface HarnessOptions {
  env?: Record<string, string>;
  fake?: FakeSlackOptions;
  vault?: VaultServerOptions;
  /** A Vault test server started by the test (e.g. a node of an HA cluster); the test stops it. */
  vaultServer?: VaultTestServer;
  start?: Date;
  launch?: Partial<LaunchOptions>;
  /** pino level of the captured log; default debug (tests read it), the benchmark uses info. */
  logLevel?: 'debug' | 'info' | 'warn';
  /** Run the bot in Socket Mode (SLACK_APP_TOKEN set) through the Socket Mode test server. */
  socketMode?: boolean;
}

export interface BotHarness {
  fake: FakeSlack;
  vault: VaultTestServer;
  slack: SlackDriver;
  /** The Socket Mode server the bot is connected to, with `socketMode: true`. */
  socket: SocketModeServer | undefined;
  bot: RunningBot;
  clock: TestClock;
  config: Config;
  dataDir: string;
  logs: string[];
  /** The live instance's database connection (to stage a crash: a row left `executing`). */
  readonly db: Database;
  /** Stops this app instance and starts a new one on the same database file. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startBotHarness(o: HarnessOptions = {}): Promise<BotHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vc-bot-'));
  const clock = new TestClock(o.start ?? new Date('2025-11-26T02:00:00Z'));
  const fake = await startFakeSlack({
    users: [
      { id: 'U0ALICE', name: 'alice' },
      { id: 'U0BOB', name: 'bob' },
      { id: 'U0CAROL', name: 'carol' },
      { id: 'U0DAVE', name: 'dave' },
      { id: 'U0GUEST', name: 'gus', is_restricted: true },
      { id: 'U0ROBOT', name: 'robot', is_bot: true },
    ],
    usergroups: { [ONCALL]: ['U0DAVE'] },
    ...o.fake,
  });
  const vault = o.vaultServer ?? (await startVaultServer({ snapshotSize: 32 * 1024, ...o.vault }));
  // Loaded only when asked for: it needs the `ws` package, which HTTP-mode tests do not.
  const socketMode = o.socketMode
    ? { ...(await import('../support/slack/socket-mode-server.js')), ...(await import('../support/slack/socket-mode-driver.js')) }
    : undefined;
  const socket = socketMode ? await socketMode.startSocketModeServer({ upstream: fake }) : undefined;
  const env = {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_OPS_CHANNEL: OPS,
    SLACK_ONCALL_GROUP: ONCALL,
    SLACK_APPROVERS: APPROVERS.join(','),
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.rootToken,
    BACKUP_STORE: join(dataDir, 'backups'),
    BACKUP_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    DATA_DIR: dataDir,
    AUDIT_KEY: 'test-audit-key-0123456789abcdef',
    LOG_LEVEL: 'info',
    ...(socket && { SLACK_APP_TOKEN: socket.appToken, SLACK_API_URL: socket.apiUrl }),
    ...o.env,
  };
  const loaded = loadConfig(env, ['slack', 'vault', 'backup']);
  if (!loaded.ok) throw new Error(`test configuration is invalid:\n${loaded.problems.join('\n')}`);
  const config = loaded.config as Config;
  const logs: string[] = [];
  const logger = createLogger({ level: o.logLevel ?? 'debug', destination: { write: (line: string) => void logs.push(line) } });

  let db: Database = openDatabase(dataDir, { logger });
  const launch = (): Promise<RunningBot> =>
    launchBot({
      config,
      logger,
      db,
      clock: clock.now,
      port: 0,
      receiver: socket ? 'socket' : 'http',
      // Socket Mode: reconnect 2 s after Slack's disconnect instead of the client's 5 s (it is also
      // the pong deadline, so not shorter: a busy test machine must not look like a dead link).
      ...(socket && { socketMode: { clientPingTimeoutMs: 2000 } }),
      processBeforeResponse: true,
      clientOptions: { retryConfig: { retries: 0 } },
      schedule: false,
      catchUp: false,
      sweepIntervalMs: 3_600_000,
      ...o.launch,
    });
  let bot = await launch();
  const driver = (): SlackDriver =>
    socket && socketMode ? socketMode.createSocketModeDriver({ server: socket, fake }) : createSlackDriver({ botUrl: bot.eventsUrl as string, signingSecret: SIGNING_SECRET, fake });

  const harness: BotHarness = {
    fake,
    vault,
    slack: driver(),
    socket,
    bot,
    clock,
    config,
    dataDir,
    logs,
    get db() {
      return db;
    },
    async restart() {
      await bot.stop();
      db.close();
      db = openDatabase(dataDir, { logger });
      bot = await launch();
      harness.bot = bot;
      harness.slack = driver();
    },
    async close() {
      await bot.stop();
      db.close();
      await Promise.all([fake.stop(), o.vaultServer ? undefined : vault.stop(), socket?.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The newest channel message carrying approval buttons for a request, read fresh from the fake. */
export function requestMessage(h: BotHarness): StoredMessage {
  const found = h.fake
    .messages(OPS)
    .filter((m) => (m.blocks ?? []).some((b) => typeof b.block_id === 'string' && b.block_id.startsWith('approval:')) || /requested by/.test(m.text))
    .at(-1);
  if (!found) throw new Error(`no request message in ${OPS}; messages: ${h.fake.messages(OPS).map((m) => m.text).join(' | ')}`);
  return found;
}

/** What a person reads: the client's rendering, with bold markers dropped so assertions read as prose. */
export function readable(h: BotHarness, message: Parameters<BotHarness['fake']['renderText']>[0]): string {
  return h.fake.renderText(message).replace(/\*/g, '');
}

/** The request's parent message as it stands now. */
export function parentText(h: BotHarness, parent: StoredMessage = requestMessage(h)): string {
  return readable(h, h.fake.message(OPS, parent.ts) ?? parent);
}

/** What a person reads in the thread under the request, parent excluded. */
export function threadTexts(h: BotHarness, parent: StoredMessage): string[] {
  return h.fake.thread(OPS, parent.ts).slice(1).map((m) => readable(h, m));
}

/** The ephemeral lines a user was shown, oldest first. */
export function ephemeralTexts(h: BotHarness, user: string): string[] {
  return h.fake.ephemerals(user).map((m) => readable(h, m));
}
