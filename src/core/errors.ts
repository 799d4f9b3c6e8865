/**
 * @module errors
 * One error shape for the whole core. Every failure a person can meet carries a stable `code`,
 * a one-sentence `userMessage` that is safe to show in Slack or on the CLI (no secrets, names the
 * next step), and the original `cause` for the log. Handlers map codes to text; anything that is
 * not a CoreError is shown as a generic failure while the logger gets the detail.
 */

export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  DataDirUnusable: 'data_dir_unusable',
  MigrationChanged: 'migration_changed',
  MigrationFailed: 'migration_failed',
  AuditBroken: 'audit_broken',
  VaultSealed: 'vault_sealed',
  VaultUninitialized: 'vault_uninitialized',
  VaultPermissionDenied: 'vault_permission_denied',
  VaultUnreachable: 'vault_unreachable',
  VaultNotFound: 'vault_not_found',
  VaultStandby: 'vault_standby',
  VaultBadRequest: 'vault_bad_request',
  VaultServerError: 'vault_server_error',
  VaultTimeout: 'vault_timeout',
  VaultAuthFailed: 'vault_auth_failed',
  SnapshotInvalid: 'snapshot_invalid',
  DecryptFailed: 'decrypt_failed',
  KeyUnknown: 'key_unknown',
  StoreNotFound: 'store_not_found',
  StoreFailed: 'store_failed',
  VerifyFailed: 'verify_failed',
  BackupRunning: 'backup_running',
  BackupNotFound: 'backup_not_found',
  RestoreRefused: 'restore_refused',
  InvalidInput: 'invalid_input',
  ApprovalRefused: 'approval_refused',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class CoreError extends Error {
  readonly code: ErrorCode;
  /** One sentence meant for the person: safe for Slack and the CLI. */
  readonly userMessage: string;

  constructor(code: ErrorCode, userMessage: string, options?: { cause?: unknown }) {
    super(userMessage, options);
    this.name = 'CoreError';
    this.code = code;
    this.userMessage = userMessage;
  }
}

export function isCoreError(error: unknown, code?: ErrorCode): error is CoreError {
  return error instanceof CoreError && (code === undefined || error.code === code);
}

/** Wraps anything foreign so callers meet one shape; the original stays in `cause`. */
export function asCoreError(error: unknown, fallback = 'Something went wrong; see the bot log for details.'): CoreError {
  if (error instanceof CoreError) return error;
  return new CoreError(ErrorCode.Internal, fallback, { cause: error });
}
