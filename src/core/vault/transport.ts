/**
 * @module vault/transport
 * Plain `node:http`/`node:https` requests for what node-vault cannot do: byte-exact snapshot
 * streams, streamed restore uploads, and `sys/health` with its status code. Follows a standby's
 * 307 to the active node, re-sending the token only to the location Vault named.
 */
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { CoreError, ErrorCode } from '../errors.js';
import { isRecyclingSource } from '../streams/recycling-file-reader.js';
import { errorFromNetwork } from './map-error.js';

/** Where and how to reach one Vault; shared by the client's raw calls. */
export interface VaultEndpoint {
  addr: string;
  namespace?: string;
  /** Trusted CAs (system roots plus VAULT_CACERT), undefined for Node's defaults. */
  ca?: string[];
  token(): string | undefined;
  /** Values to scrub from messages. */
  secrets(): (string | undefined)[];
}

export interface RawCall {
  method: 'GET' | 'POST' | 'PUT';
  /** Logical path, e.g. `sys/storage/raft/snapshot`. */
  path: string;
  query?: string;
  authenticated: boolean;
  /** Called again for each redirect, since a stream can be sent only once. */
  body?: () => Readable;
  /** Socket inactivity limit until the response headers arrive. */
  timeoutMs: number;
}

export interface RawResponse {
  response: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: URL;
}

const MAX_REDIRECTS = 3;

/** Sends `call`, following 307/308; resolves once response headers arrive. The caller consumes the body. */
export async function sendRaw(endpoint: VaultEndpoint, call: RawCall): Promise<RawResponse> {
  let url = new URL(`v1/${call.path}${call.query ? `?${call.query}` : ''}`, withSlash(endpoint.addr));
  for (let hop = 0; ; hop++) {
    const response = await sendOnce(endpoint, call, url);
    const location = response.headers.location;
    if ((response.statusCode === 307 || response.statusCode === 308) && location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) {
        throw new CoreError(
          ErrorCode.VaultStandby,
          `Vault at ${endpoint.addr} redirected ${call.path} more than ${MAX_REDIRECTS} times; point VAULT_ADDR at the active node`,
        );
      }
      url = nextLocation(endpoint, url, location);
      continue;
    }
    return { response, url };
  }
}

/** Reads a whole (small) body and parses it as JSON; undefined when it is not JSON. */
export async function readJson(response: IncomingMessage, limitBytes = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      response.destroy();
      break;
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function sendOnce(endpoint: VaultEndpoint, call: RawCall, url: URL): Promise<IncomingMessage> {
  const headers: Record<string, string> = {};
  const token = endpoint.token();
  if (call.authenticated && token) headers['X-Vault-Token'] = token;
  if (endpoint.namespace) headers['X-Vault-Namespace'] = endpoint.namespace;
  if (call.body) headers['Content-Type'] = 'application/octet-stream';

  const ctx = { addr: url.origin, path: call.path, method: call.method, timeoutMs: call.timeoutMs, secrets: endpoint.secrets() };
  return new Promise<IncomingMessage>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req: ClientRequest = send(url, { method: call.method, headers, ...(endpoint.ca ? { ca: endpoint.ca } : {}) });
    let answered = false;
    let body: Readable | undefined;
    let bodyError: unknown;

    req.setTimeout(call.timeoutMs, () => {
      req.destroy(Object.assign(new Error(`no answer within ${call.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('response', (response) => {
      answered = true;
      req.setTimeout(0);
      // Vault may answer (error, redirect) before reading the whole upload; stop sending.
      if (body && !body.readableEnded) {
        body.unpipe(req);
        body.destroy();
      }
      resolve(response);
    });
    req.on('error', (error) => {
      if (answered) return;
      body?.destroy();
      reject(bodyError ?? errorFromNetwork(error, ctx));
    });

    if (!call.body) {
      req.end();
      return;
    }
    body = call.body();
    body.on('error', (error) => {
      // A failing source (decrypt, download) is the caller's error, not Vault's.
      bodyError = error;
      req.destroy(error);
    });
    sendBody(body, req);
  });
}

/**
 * `body.pipe(req)`, except that a recycling source (RecyclingFileReader) gets each chunk back once
 * the socket has taken it, so a gigabyte upload reuses a few read buffers instead of leaving a
 * gigabyte of them for the garbage collector.
 */
function sendBody(body: Readable, req: ClientRequest): void {
  if (!isRecyclingSource(body)) {
    body.pipe(req);
    return;
  }
  req.on('drain', () => body.resume());
  body.on('data', (chunk: Buffer) => {
    // The callback comes once the chunk is written to the socket (or the request failed).
    if (!req.write(chunk, () => body.recycle(chunk))) body.pause();
  });
  body.once('end', () => req.end());
}

function nextLocation(endpoint: VaultEndpoint, from: URL, location: string): URL {
  const to = new URL(location, from);
  if (from.protocol === 'https:' && to.protocol !== 'https:') {
    throw new CoreError(
      ErrorCode.VaultStandby,
      `Vault at ${endpoint.addr} redirected to ${to.origin} over plain HTTP; refusing to send the token there. Point VAULT_ADDR at the active node`,
    );
  }
  return to;
}

function withSlash(addr: string): string {
  return addr.endsWith('/') ? addr : `${addr}/`;
}
