/**
 * @module chat-delete `chat.delete` as Slack answers a bot token: the bot's own messages go
 * (`{ok, channel, ts}`); anyone else's answer `cant_delete_message` (only a user token of an
 * admin may delete other people's messages); an unknown ts is `message_not_found`.
 */
import { PlatformError, str, type MethodHandler } from './web-api-methods.js';

export const chatDelete: MethodHandler = (args, ctx) => {
  const channel = ctx.directory.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) throw new PlatformError('channel_not_found');
  const ts = str(args, 'ts') ?? '';
  const message = ctx.store.find(channel.id, ts);
  if (!message) throw new PlatformError('message_not_found');
  if (message.user !== ctx.identity.botUserId) throw new PlatformError('cant_delete_message');
  ctx.store.remove(channel.id, ts);
  return { channel: channel.id, ts };
};
