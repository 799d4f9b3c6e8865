/**
 * The receiver choice (DESIGN §2): Socket Mode when SLACK_APP_TOKEN is set, the HTTP receiver
 * otherwise, and a configuration error that names the missing variable. Nothing connects here.
 */
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createBoltApp, type BotAppOptions } from '../../src/bot/app.js';
import { createLogger } from '../../src/core/logger.js';

const base: BotAppOptions = {
  botToken: 'xoxb-test',
  botId: 'B0TEST',
  botUserId: 'U0TESTBOT',
  port: 0,
  logger: createLogger({ level: 'silent' }),
  health: { database: () => {}, vault: async () => ({ reachable: true }) },
};
const receiverOf = (app: unknown): unknown => (app as { receiver: unknown }).receiver;

describe('createBoltApp', () => {
  it('uses Socket Mode when an app token is given', () => {
    expect(receiverOf(createBoltApp({ ...base, appToken: 'xapp-test', signingSecret: 'secret' }))).toBeInstanceOf(SocketModeReceiver);
  });

  it('uses the HTTP receiver otherwise', () => {
    expect(receiverOf(createBoltApp({ ...base, signingSecret: 'secret' }))).toBeInstanceOf(HTTPReceiver);
  });

  it('names the missing secret for HTTP mode and the missing token for Socket Mode', () => {
    expect(() => createBoltApp(base)).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => createBoltApp({ ...base, receiver: 'socket' })).toThrow(/SLACK_APP_TOKEN/);
  });
});
