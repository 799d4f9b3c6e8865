/** The app manifest offers exactly what the bot uses (reference §7): `/vault`, the bot scopes, interactivity, the message events, Socket Mode. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = readFileSync(new URL('../../slack-app-manifest.yaml', import.meta.url), 'utf8');
const active = manifest.split('\n').filter((line) => !line.trimStart().startsWith('#')).map((line) => line.replace(/\s+#.*$/, '')).join('\n');

describe('slack-app-manifest.yaml', () => {
  it('declares /vault with a usage hint, the bot scopes, interactivity and Socket Mode', () => {
    expect(active).toMatch(/- command: \/vault\n/);
    expect(active).toMatch(/usage_hint: ".*restore <YYYY-MM-DD\|latest\|key> \[staging\].*"/);
    const scopes = /bot:\n((?:\s+- .+\n)+)/.exec(active)?.[1]?.match(/- (\S+)/g)?.map((s) => s.slice(2));
    expect(scopes).toEqual(['commands', 'chat:write', 'chat:write.public', 'users:read', 'usergroups:read', 'channels:history', 'groups:history', 'files:write']);
    expect(active).toMatch(/interactivity:\n\s+is_enabled: true/);
    expect(active).toMatch(/socket_mode_enabled: true/);
  });

  it('shows the HTTP-mode URLs, both at Bolt’s /slack/events', () => {
    expect(manifest).toMatch(/#\s+url: https:\/\/\S+\/slack\/events/);
    expect(manifest).toMatch(/#\s+request_url: https:\/\/\S+\/slack\/events/);
  });

  it('subscribes to channel messages, which the key-share guard needs (DESIGN §11)', () => {
    const events = /bot_events:\n((?:\s+- .+\n)+)/.exec(active)?.[1]?.match(/- (\S+)/g)?.map((s) => s.slice(2));
    expect(events).toEqual(['message.channels', 'message.groups']);
    expect(manifest).toMatch(/event_subscriptions:\n\s+#\s+request_url: https:\/\/\S+\/slack\/events/);
  });
});
