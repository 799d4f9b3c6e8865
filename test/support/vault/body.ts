/**
 * @module body Request bodies: buffered for ordinary requests (32 MiB cap → 413, like Vault),
 * streamed through a hashing tap for snapshot restores so a multi-GiB upload is never held.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
export const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** Passes bytes through while counting and hashing them; `done` resolves at end. */
export class BodyTap extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  readonly done: Promise<{ bytes: number; sha256: string }>;
  private settle!: (v: { bytes: number; sha256: string }) => void;

  constructor() {
    super();
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.settle({ bytes: this.bytes, sha256: this.hash.digest('hex') });
    cb();
  }
}

export interface BufferedBody {
  body: Buffer;
  bytes: number;
  sha256: string;
  tooLarge: boolean;
}

export async function readBody(req: IncomingMessage): Promise<BufferedBody> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes <= MAX_REQUEST_BYTES) chunks.push(chunk);
    }
  } catch {
    // Client went away mid-body; answer on what arrived.
  }
  const tooLarge = bytes > MAX_REQUEST_BYTES;
  return { body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), bytes, sha256: hash.digest('hex'), tooLarge };
}

/** Body text worth keeping in the request log: small and valid JSON. */
export function smallJsonText(body: Buffer): string | undefined {
  if (body.length === 0 || body.length >= 64 * 1024) return undefined;
  const text = body.toString('utf8');
  try {
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}
