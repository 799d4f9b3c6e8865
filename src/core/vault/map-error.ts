/**
 * @module vault/map-error
 * The one place where Vault answers and network failures become CoreErrors. Every message names the
 * Vault address or path and the next step; none carries a token or secret id (callers pass them in
 * `secrets` so that even Vault's own text is scrubbed).
 */
import { CoreError, ErrorCode } from '../errors.js';

export interface VaultCallContext {
  addr: string;
  /** Logical path without `/v1/` or query, e.g. `sys/storage/raft/snapshot`. */
  path: string;
  method: string;
  /** Capability the policy needs, when it is not the obvious one for the method. */
  capability?: string;
  /** Values that must never appear in a message (tokens, secret ids). */
  secrets?: readonly (string | undefined)[];
}

export interface VaultResponseFailure extends VaultCallContext {
  status: number;
  /** Vault's `errors` array (may be empty). */
  errors: readonly string[];
  cause?: unknown;
}

const MAX_MESSAGE = 300;

/** The `cause` of every error mapped from an HTTP answer: status and Vault's messages, nothing secret. */
export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VaultHttpError';
  }
}

/** The HTTP status behind a mapped CoreError, if it came from an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof VaultHttpError ? cause.status : undefined;
}

/** Maps a non-success HTTP answer from Vault. */
export function errorFromResponse(failure: VaultResponseFailure): CoreError {
  const { addr, path, status, cause } = failure;
  const said = scrub(cleanVaultMessage(failure.errors), failure.secrets);
  const opts = {
    cause: new VaultHttpError(
      status,
      failure.errors.map((e) => scrub(e, failure.secrets)),
      `HTTP ${status} from ${addr} for ${failure.method} ${path}: ${said || '(no message)'}`,
      cause === undefined ? undefined : { cause },
    ),
  };

  if (/vault is sealed/i.test(said)) {
    return new CoreError(ErrorCode.VaultSealed, `Vault at ${addr} is sealed; unseal it with your key holders' CLI`, opts);
  }
  if (status === 501 || /not (yet )?initialized/i.test(said)) {
    return new CoreError(
      ErrorCode.VaultUninitialized,
      `Vault at ${addr} is not initialised; run \`vault operator init\` (or restore a snapshot) first`,
      opts,
    );
  }
  if (status === 403) {
    if (/invalid token/i.test(said)) {
      return new CoreError(
        ErrorCode.VaultAuthFailed,
        `Vault at ${addr} rejected the token as invalid, expired or revoked; check VAULT_TOKEN or the AppRole credentials`,
        opts,
      );
    }
    const capability = failure.capability ?? capabilityFor(failure.method, path);
    return new CoreError(
      ErrorCode.VaultPermissionDenied,
      `permission denied for ${path}: the token's policy needs ${capability} on it`,
      opts,
    );
  }
  if (status === 404) {
    return new CoreError(ErrorCode.VaultNotFound, `nothing found at ${path} on Vault at ${addr}${said ? ` (${said})` : ''}`, opts);
  }
  if (/standby mode|no active vault instance|active cluster node not found/i.test(said)) {
    return new CoreError(
      ErrorCode.VaultStandby,
      `Vault at ${addr} is a standby without a reachable active node (${said}); point VAULT_ADDR at the active node or check the cluster`,
      opts,
    );
  }
  if (status >= 400 && status < 500) {
    return new CoreError(
      ErrorCode.VaultBadRequest,
      `Vault at ${addr} refused ${failure.method} ${path} (HTTP ${status})${said ? `: ${said}` : ''}`,
      opts,
    );
  }
  return new CoreError(
    ErrorCode.VaultServerError,
    `Vault at ${addr} failed on ${failure.method} ${path} (HTTP ${status})${said ? `: ${said}` : ''}; check the Vault server log`,
    opts,
  );
}

/** Maps a failure below HTTP: refused connection, DNS, TLS, timeout, reset. */
export function errorFromNetwork(error: unknown, ctx: VaultCallContext & { timeoutMs?: number }): CoreError {
  if (error instanceof CoreError) return error;
  const code = errorCode(error);
  const detail = scrub(error instanceof Error ? error.message : String(error), ctx.secrets);
  // Foreign errors (axios) carry the request config, headers and token included: keep only code and text.
  const cause = Object.assign(new Error(detail), code ? { code } : {});

  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || /timeout/i.test(detail)) {
    const within = ctx.timeoutMs !== undefined ? ` within ${formatDuration(ctx.timeoutMs)}` : ' in time';
    return new CoreError(
      ErrorCode.VaultTimeout,
      `Vault at ${ctx.addr} did not answer ${ctx.method} ${ctx.path}${within}; check its load and the network`,
      { cause },
    );
  }
  if (code && /^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)) {
    return new CoreError(
      ErrorCode.VaultUnreachable,
      `cannot verify Vault's TLS certificate at ${ctx.addr} (${code}); set VAULT_CACERT to the CA bundle that signed it`,
      { cause },
    );
  }
  return new CoreError(
    ErrorCode.VaultUnreachable,
    `cannot reach Vault at ${ctx.addr} (${code ?? detail}); check VAULT_ADDR and that Vault is running`,
    { cause },
  );
}

/** The capability Vault checks for a verb; `sys/seal` also needs sudo. */
export function capabilityFor(method: string, path: string): string {
  if (path === 'sys/seal') return 'update and sudo';
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'LIST':
      return 'list';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      // Vault checks `create` for a new key and `update` for an existing one.
      return /\/data\//.test(path) ? 'create and update' : 'update';
  }
}

/** Turns go-multierror text ("2 errors occurred:\n\t* a\n\t* b\n\n") into "a; b". */
export function cleanVaultMessage(errors: readonly string[]): string {
  const parts = errors.flatMap((e) => {
    const bullets = [...e.matchAll(/^\s*\* (.+)$/gm)].map((m) => m[1]?.trim() ?? '');
    return bullets.length > 0 ? bullets : [e.trim()];
  });
  const text = parts.filter(Boolean).join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** Replaces every secret in `text` with `[redacted]`. */
export function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** `60 s`, `1.5 s`, `300 ms`. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

/** Reads `{"errors": [...]}` (or a plain-text body) as a list of messages. */
export function errorsOf(body: unknown): string[] {
  // Some sys endpoints (metrics) answer errors as plain text.
  if (typeof body === 'string') return body.trim() ? [body.trim()] : [];
  if (body && typeof body === 'object' && 'errors' in body && Array.isArray(body.errors)) {
    return body.errors.filter((e): e is string => typeof e === 'string');
  }
  return [];
}

function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const inner = (error as { cause?: unknown }).cause;
    if (inner && inner !== error) return errorCode(inner);
  }
  return undefined;
}
