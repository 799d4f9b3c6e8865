/**
 * @module testing Small helpers for the server's own tests: JSON fetches and snapshot unpacking.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers['X-Vault-Token'] = opts.token;
  const init: RequestInit = { method, headers, redirect: 'manual' };
  if (opts.body !== undefined) {
    init.body = typeof opts.body === 'string' || opts.body instanceof Uint8Array ? (opts.body as string) : JSON.stringify(opts.body);
  }
  const res = await fetch(`${base}/v1/${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface TarMember {
  name: string;
  data: Buffer;
}

export async function untarGz(gz: Buffer): Promise<TarMember[]> {
  const extract = tar.extract();
  Readable.from([gunzipSync(gz)]).pipe(extract as unknown as NodeJS.WritableStream);
  const out: TarMember[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry as unknown as AsyncIterable<Buffer>) chunks.push(c);
    out.push({ name: entry.header.name, data: Buffer.concat(chunks) });
  }
  return out;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Build a gzip'd tar from members (for crafting bad snapshots). */
export async function tarGz(members: TarMember[]): Promise<Buffer> {
  const { gzipSync } = await import('node:zlib');
  const pack = tar.pack();
  for (const m of members) pack.entry({ name: m.name }, m.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return gzipSync(Buffer.concat(chunks));
}
