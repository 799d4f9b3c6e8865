/**
 * @module api-request Decodes a Web API request the way Slack does (reference §4): form or JSON
 * body plus query string, JSON fields (`blocks`, `attachments`, `view`, `metadata`) parsed, and
 * the token taken from `Authorization: Bearer` or else the `token` field.
 */
import type { IncomingMessage } from 'node:http';
import type { ApiArgs } from './types.js';
import { PlatformError } from './web-api-methods.js';

/** Fields @slack/web-api JSON-stringifies inside a form body, and the error Slack gives when one is not JSON. */
const JSON_FIELDS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
};

export interface ApiRequest {
  args: ApiArgs;
  token?: string;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a request; throws `PlatformError` for bodies Slack would refuse. */
export function parseApiRequest(req: IncomingMessage, body: string, query: URLSearchParams): ApiRequest {
  const args: ApiArgs = Object.fromEntries(query);
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length > 0) {
    if (mediaType === 'application/x-www-form-urlencoded') {
      Object.assign(args, Object.fromEntries(new URLSearchParams(body)));
    } else if (mediaType === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new PlatformError('invalid_json');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new PlatformError('invalid_json');
      Object.assign(args, parsed);
    } else if (mediaType === '') {
      throw new PlatformError('missing_post_type');
    } else {
      // multipart (file uploads) and text/plain are valid in Slack but unused by this bot.
      throw new PlatformError('invalid_post_type');
    }
  }
  for (const [field, error] of Object.entries(JSON_FIELDS)) {
    const raw = args[field];
    if (typeof raw !== 'string') continue;
    try {
      args[field] = JSON.parse(raw);
    } catch {
      throw new PlatformError(error);
    }
  }
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
  const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
  return token !== undefined ? { args, token } : { args };
}
