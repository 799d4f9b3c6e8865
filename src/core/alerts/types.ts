/**
 * @module alerts/types
 * The alert engine's public shapes. An alert is one incident: it fires once, may be reminded and
 * acknowledged, and resolves once. The engine talks to people through `AlertNotifier` (the bot
 * implements it in Slack) and to a pager through `AlertPager`; both are platform-neutral.
 */
import type { AlertKey, Severity } from './keys.js';

export type AlertState = 'firing' | 'resolved';

/** Where an incident's chat message lives (Slack: channel id and ts). Opaque to the core. */
export interface AlertMessageRef {
  channel: string;
  ts: string;
}

/** An incident as people see it. Text fields are plain sentences, safe to show. */
export interface AlertView {
  id: number;
  key: AlertKey;
  /** Narrows the key, e.g. the backup kind for `backup_failed`; '' when the key is enough. */
  scope: string;
  severity: Severity;
  state: AlertState;
  /** e.g. "Vault is sealed" or "Backup failed (daily)". */
  title: string;
  /** What the check found when the alert fired (or last failed). */
  detail: string;
  firedAt: Date;
  reminders: number;
  ackedBy?: string;
  ackedAt?: Date;
  resolvedAt?: Date;
  /** Stored once the fired message was delivered. */
  messageRef?: AlertMessageRef;
  /** Set on the one message of an incident that fired and cleared while the chat was unreachable. */
  late?: boolean;
}

/**
 * How the engine tells people. Each method throws when delivery failed; the engine then keeps the
 * step pending and tries again on the next round (fired, reminder, resolved) or logs it (the rest).
 */
export interface AlertNotifier {
  /** Posts the incident's one message; returns where it is, to be kept with the alert. */
  fired(alert: AlertView): Promise<AlertMessageRef>;
  /** A clearly labelled reminder in the alert's thread. */
  reminder(alert: AlertView, ref: AlertMessageRef): Promise<void>;
  /** Shows who acknowledged and when on the message. */
  acknowledged(alert: AlertView, ref: AlertMessageRef): Promise<void>;
  /** Updates the message and says "resolved after <duration>" in the thread. */
  resolved(alert: AlertView, ref: AlertMessageRef): Promise<void>;
  /** A line in the alert's thread, e.g. "failed again". */
  note(alert: AlertView, ref: AlertMessageRef, text: string): Promise<void>;
}

/**
 * A pager beside the chat (PagerDuty). Calls only queue work: the engine never awaits them before
 * Slack, and they never throw. Each settles true once the pager took the event (or refused it for
 * good, so re-sending is pointless), false when it is still owed; the engine records that on the
 * alert and re-sends what is owed on later rounds, also after a restart.
 */
export interface AlertPager {
  trigger(alert: AlertView): Promise<boolean>;
  acknowledge(alert: AlertView): Promise<boolean>;
  resolve(alert: AlertView): Promise<boolean>;
}

export type AckResult =
  | { outcome: 'acknowledged'; alert: AlertView }
  | { outcome: 'already_acknowledged' | 'already_resolved'; alert: AlertView }
  | { outcome: 'not_found' }
  | { outcome: 'refused'; reason: string };
