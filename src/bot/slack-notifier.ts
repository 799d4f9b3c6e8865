/**
 * @module bot/slack-notifier
 * The core's `Notifier` in Slack's ops channel: a quiet ✅ for a good backup, a page that mentions
 * on-call (`<!subteam^…>` or `<!here>`) for a failed one, the weekly restore-test result, and info
 * lines. Only facts the core calls safe reach Slack (keys, sizes, the CoreError user message).
 * A failed post is thrown: the bot wraps this notifier in the core's `DeliveryQueue`, which
 * delivers off the work path, retries within bounds and records what could not be delivered,
 * so a Slack outage never fails or delays a backup.
 */
import type { webApi } from '@slack/bolt';
import { formatDuration } from '../core/actions/format-duration.js';
import type { Logger } from '../core/logger.js';
import type { BackupFailure, BackupReport, Notifier, RestoreReport } from '../core/notifier.js';
import { formatBytes } from '../core/restore/restore-plan.js';
import { context, section, type SlackMessage } from './blocks/kit.js';
import { summariseSlackError } from './slack-errors.js';
import { code, escapeText, safeText } from './text.js';

export interface SlackNotifierOptions {
  client: webApi.WebClient;
  /** SLACK_OPS_CHANNEL. */
  channel: string;
  /** SLACK_ONCALL_GROUP; unset → `<!here>`. */
  oncallGroup?: string;
  logger: Logger;
}

const DELETED_SHOWN = 5;

export class SlackNotifier implements Notifier {
  readonly #client: webApi.WebClient;
  readonly #channel: string;
  readonly #oncall: string;
  readonly #logger: Logger;

  constructor({ client, channel, oncallGroup, logger }: SlackNotifierOptions) {
    this.#client = client;
    this.#channel = channel;
    this.#oncall = oncallGroup ? `<!subteam^${oncallGroup}>` : '<!here>';
    this.#logger = logger.child({ component: 'slack-notifier' });
  }

  async backupSucceeded(r: BackupReport): Promise<void> {
    const deleted = r.deleted.length === 0 ? '' : ` · retention deleted ${r.deleted.length}`;
    const line = `:white_check_mark: ${escapeText(r.kind)} backup ${code(r.key)} · ${formatBytes(r.storedBytes)} in ${formatDuration(r.durationMs)} · stored in ${code(r.store)}${deleted}`;
    const shown = r.deleted.slice(0, DELETED_SHOWN).map((k) => code(k, 200)).join(', ');
    const more = r.deleted.length > DELETED_SHOWN ? ` and ${r.deleted.length - DELETED_SHOWN} more` : '';
    await this.#post({
      text: line,
      blocks: [section(line), ...(shown ? [context(`Deleted: ${shown}${more}`)] : [])],
    });
  }

  async backupFailed(f: BackupFailure): Promise<void> {
    const line = `${this.#oncall} :rotating_light: *${escapeText(f.kind)} backup failed* at step *${escapeText(f.step)}*: ${safeText(sentence(f.reason), 1500)}`;
    const where = f.key ? ` Nothing was kept under ${code(f.key)}.` : '';
    await this.#post({ text: line, blocks: [section(`${line}${where}`), context('The failure is in the audit log. Run `/vault backup now` once the cause is fixed.')] });
  }

  async restoreTestFinished(r: RestoreReport, error?: { step: string; reason: string }): Promise<void> {
    const line = error
      ? `${this.#oncall} :x: *Restore test failed* at step *${escapeText(error.step)}*: ${safeText(sentence(error.reason), 1500)}`
      : `:white_check_mark: Restore test passed: ${code(r.key)} into ${r.target} in ${formatDuration(r.recoveryMs)} · canary ${r.canary}`;
    const note = r.note ? [context(safeText(r.note, 1000))] : [];
    await this.#post({ text: line, blocks: [section(line), ...note] });
  }

  async info(text: string): Promise<void> {
    const line = `:information_source: ${safeText(text, 2000)}`;
    await this.#post({ text: line, blocks: [section(line)] });
  }

  async #post(message: SlackMessage): Promise<void> {
    try {
      await this.#client.chat.postMessage({ channel: this.#channel, ...message, unfurl_links: false, unfurl_media: false });
    } catch (error) {
      const { detail } = summariseSlackError(error);
      this.#logger.debug({ err: error }, `ops channel post failed (${detail})`);
      throw error;
    }
  }
}

/** Ends a reason with a full stop, so the next sentence does not run into it. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
