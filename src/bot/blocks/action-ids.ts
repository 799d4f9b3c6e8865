/**
 * @module bot/blocks/action-ids
 * The interactive element ids the bot puts in messages and the handlers listen for. One list, so
 * a renamed button cannot silently stop reaching its handler.
 */
export const ACTION = {
  approve: 'approval_approve',
  deny: 'approval_deny',
  cancel: 'approval_cancel',
  restorePick: 'restore_pick',
  alertAck: 'alert_ack',
} as const;

/** Request ids as the engine draws them (`req_` + hex) or a test injects: short and plain. */
export const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
