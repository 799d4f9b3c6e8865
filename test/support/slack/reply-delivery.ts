/**
 * @module reply-delivery What a person sees after a response_url post or a command's immediate
 * reply (reference §2): `delete_original` removes the clicked message, `replace_original` edits it
 * (history kept), `in_channel` posts a new channel message, anything else is ephemeral to the user.
 * response_urls bypass channel membership, as in Slack, so no `not_in_channel` here.
 */
import type { MessageStore } from './message-store.js';
import type { ApiArgs, AppIdentity, ResponseUrlContext, ResponseUrlMessage } from './types.js';
import { readContent, str } from './web-api-methods.js';

export interface DeliveryDeps {
  identity: AppIdentity;
  store: MessageStore;
  mintBlockId: () => string;
}

/** Applies one reply; throws `PlatformError` (e.g. `invalid_blocks`, `no_text`) when Slack would refuse it. */
export function deliverReply(
  deps: DeliveryDeps,
  target: ResponseUrlContext,
  reply: ResponseUrlMessage,
  source: 'response_url' | 'command_ack',
): void {
  const { store, identity } = deps;
  if (reply.delete_original === true) {
    if (target.messageTs !== undefined) store.remove(target.channel, target.messageTs);
    const ephemeral = target.ephemeralTs !== undefined ? store.findEphemeral(target.ephemeralTs) : undefined;
    if (ephemeral) ephemeral.deleted = true;
    return;
  }
  const content = readContent(reply as ApiArgs, true, deps.mintBlockId);
  if (reply.replace_original === true) {
    const original =
      (target.messageTs !== undefined ? store.find(target.channel, target.messageTs) : undefined) ??
      (target.ephemeralTs !== undefined ? store.findEphemeral(target.ephemeralTs) : undefined);
    if (original) {
      // A replacement shows exactly the new body: blocks not sent are gone, unlike chat.update.
      const replacement = { text: content.text ?? '', blocks: content.blocks ?? [] };
      store.edit(original, content.attachments ? { ...replacement, attachments: content.attachments } : replacement, identity.botUserId);
      return;
    }
  }
  const threadTs = str(reply as ApiArgs, 'thread_ts');
  if (reply.response_type === 'in_channel') {
    store.add({
      type: 'message',
      channel: target.channel,
      ...(threadTs !== undefined && { thread_ts: threadTs }),
      text: content.text ?? '',
      ...(content.blocks && { blocks: content.blocks }),
      ...(content.attachments && { attachments: content.attachments }),
      user: identity.botUserId,
      bot_id: identity.botId,
      app_id: identity.appId,
      team: identity.teamId,
      source,
    });
    return;
  }
  store.addEphemeral({
    channel: target.channel,
    user: target.user,
    ...(threadTs !== undefined && { thread_ts: threadTs }),
    text: content.text ?? '',
    ...(content.blocks && { blocks: content.blocks }),
    ...(content.attachments && { attachments: content.attachments }),
    source,
  });
}
