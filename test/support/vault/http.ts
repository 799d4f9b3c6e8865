/**
 * @module http Response writing shared by every handler: `Cache-Control: no-store` on everything,
 * JSON bodies terminated by a newline (Go's json.Encoder), the logical-response envelope in Vault's
 * field order, and `VaultError` for the `{"errors":[…]}` answers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RecordedRequest } from './types.js';
import type { VaultCore } from './state.js';

/** One request as the handlers see it. */
export interface Ctx {
  core: VaultCore;
  req: IncomingMessage;
  res: ServerResponse;
  /** Upper-case verb; `GET …?list=true` is already turned into `LIST`. */
  method: string;
  /** Path after `/v1/`, no query, e.g. `secret/data/app`. */
  path: string;
  query: URLSearchParams;
  /** Buffered body (not set for streamed snapshot restores). */
  body: Buffer;
  record: RecordedRequest;
}

export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors[0] ?? `Status ${status}`);
  }
}

export const SEALED = 'Vault is sealed';
export const PERMISSION_DENIED = 'permission denied';
/** go-multierror's rendering of a single ACL denial. */
export const ACL_DENIED = '1 error occurred:\n\t* permission denied\n\n';
export const INVALID_TOKEN_VAULT = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';

export function writeHead(ctx: Ctx, status: number, headers: OutgoingHttpHeaders = {}): void {
  ctx.record.status = status;
  ctx.res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
}

export function sendJson(ctx: Ctx, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  writeHead(ctx, status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : text);
}

export function sendErrors(ctx: Ctx, status: number, errors: string[]): void {
  sendJson(ctx, status, { errors });
}

/** A handler that returned nothing: 204, JSON content type, no body. */
export function sendNoContent(ctx: Ctx): void {
  writeHead(ctx, 204, { 'Content-Type': 'application/json' });
  ctx.res.end();
}

export function sendText(ctx: Ctx, status: number, contentType: string, text: string): void {
  writeHead(ctx, status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  ctx.res.end(text);
}

/** Go encodes `map[string]interface{}` with sorted keys; logical `data` objects are such maps. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export type MountType = 'kv' | 'token' | 'approle' | 'system';

export interface EnvelopeParts {
  mountType: MountType;
  data?: Record<string, unknown> | null;
  auth?: Record<string, unknown> | null;
  warnings?: string[] | null;
  leaseDuration?: number;
}

/** The logical response envelope (§1.1), field order as Vault's `logical.HTTPResponse`. */
export function envelope(core: VaultCore, parts: EnvelopeParts): Record<string, unknown> {
  const body: Record<string, unknown> = {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: parts.leaseDuration ?? 0,
    data: parts.data === undefined || parts.data === null ? null : sortKeys(parts.data),
    wrap_info: null,
    warnings: parts.warnings ?? null,
    auth: parts.auth ?? null,
  };
  if (core.flavor === 'vault') body.mount_type = parts.mountType;
  return body;
}

export function sendEnvelope(ctx: Ctx, parts: EnvelopeParts, status = 200): void {
  sendJson(ctx, status, envelope(ctx.core, parts));
}

/** Go's strconv.ParseBool plus the empty string (an absent-valued flag means false). */
export function parseBool(value: string): boolean | undefined {
  if (['', '0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  return undefined;
}

/** Parse a write body: JSON (or form-encoded); empty is an empty object. */
export function parseWriteBody(ctx: Ctx): Record<string, unknown> {
  const text = ctx.body.toString('utf8');
  if (text.trim() === '') return {};
  const ct = String(ctx.req.headers['content-type'] ?? '');
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  const prefix = ctx.core.flavor === 'openbao' ? 'failed to decode JSON input' : 'failed to parse JSON input';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const first = text.trim()[0] ?? '';
    throw new VaultError(400, [`${prefix}: invalid character '${first}' looking for beginning of value`]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new VaultError(400, [`${prefix}: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map[string]interface {}`]);
  }
  return parsed as Record<string, unknown>;
}

/** Parse a Go-style duration ("1h30m", "90s") or plain seconds. */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? n * 3600 : unit === 'm' ? n * 60 : unit === 's' ? n : n / 1000;
    consumed = re.lastIndex;
  }
  return consumed === value.length ? Math.floor(total) : undefined;
}

/** Go duration string for seconds, e.g. 3600 → "1h0m0s". */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
