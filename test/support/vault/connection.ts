/**
 * @module connection Lets `node:http` accept Vault's `LIST` verb. llhttp rejects unknown methods
 * with a 400 before any handler runs, so each TCP connection is wrapped in a Duplex that frames
 * HTTP/1.1 requests (Content-Length and chunked bodies) and rewrites a `LIST` request line to `GET`
 * plus a marker header, which the router turns back into `LIST`. Bodies pass through untouched.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export const LIST_MARKER_HEADER = 'x-vault-test-server-list';
const MAX_HEAD = 80 * 1024;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

type Mode = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailers' | 'raw';

/** Incremental request framer; `feed` returns the (possibly rewritten) bytes to hand to the parser. */
export class RequestRewriter {
  private mode: Mode = 'head';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;

  feed(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let buf = input;
    while (buf.length > 0) {
      switch (this.mode) {
        case 'raw':
          out.push(buf);
          return out;
        case 'body':
        case 'chunk-data': {
          const n = Math.min(this.remaining, buf.length);
          out.push(buf.subarray(0, n));
          buf = buf.subarray(n);
          this.remaining -= n;
          if (this.remaining === 0) this.mode = this.mode === 'body' ? 'head' : 'chunk-size';
          break;
        }
        case 'head': {
          this.pending = this.pending.length ? Buffer.concat([this.pending, buf]) : buf;
          buf = Buffer.alloc(0);
          const end = this.pending.indexOf(CRLFCRLF);
          if (end === -1) {
            if (this.pending.length > MAX_HEAD) {
              // Not something we can frame; let the HTTP parser deal with it as is.
              out.push(this.pending);
              this.pending = Buffer.alloc(0);
              this.mode = 'raw';
            }
            return out;
          }
          const head = this.pending.subarray(0, end + 4);
          buf = this.pending.subarray(end + 4);
          this.pending = Buffer.alloc(0);
          out.push(this.rewriteHead(head));
          break;
        }
        case 'chunk-size':
        case 'trailers': {
          this.pending = this.pending.length ? Buffer.concat([this.pending, buf]) : buf;
          buf = Buffer.alloc(0);
          const eol = this.pending.indexOf(CRLF);
          if (eol === -1) return out;
          const line = this.pending.subarray(0, eol + 2);
          buf = this.pending.subarray(eol + 2);
          this.pending = Buffer.alloc(0);
          out.push(line);
          if (this.mode === 'trailers') {
            if (line.length === 2) this.mode = 'head';
          } else {
            const size = Number.parseInt(line.toString('latin1').split(';')[0]?.trim() ?? '', 16);
            if (!Number.isFinite(size)) this.mode = 'raw';
            else if (size === 0) this.mode = 'trailers';
            else {
              this.mode = 'chunk-data';
              this.remaining = size + 2;
            }
          }
          break;
        }
      }
    }
    return out;
  }

  private rewriteHead(head: Buffer): Buffer {
    let text = head.toString('latin1');
    // Blank lines between requests are legal; keep them in front of the request line.
    const lead = /^(\r\n)*/.exec(text)?.[0] ?? '';
    text = text.slice(lead.length);
    const lines = text.split('\r\n');
    let contentLength = 0;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') contentLength = Number(value) || 0;
      if (name === 'transfer-encoding' && /chunked/i.test(value)) chunked = true;
    }
    if (chunked) this.mode = 'chunk-size';
    else if (contentLength > 0) {
      this.mode = 'body';
      this.remaining = contentLength;
    } else this.mode = 'head';
    if (!text.startsWith('LIST ')) return head;
    const firstEol = text.indexOf('\r\n');
    const rewritten = `${lead}GET ${text.slice(5, firstEol)}\r\n${LIST_MARKER_HEADER}: 1${text.slice(firstEol)}`;
    return Buffer.from(rewritten, 'latin1');
  }
}

/** The socket as the HTTP server sees it: rewritten input, untouched output. */
export class RewritingConnection extends Duplex {
  private readonly rewriter = new RequestRewriter();

  constructor(readonly socket: Socket) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => {
      let ok = true;
      for (const piece of this.rewriter.feed(chunk)) ok = this.push(piece) && ok;
      if (!ok) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    // The HTTP server arms keep-alive timeouts on this wrapper; the event fires on the real socket.
    socket.on('timeout', () => this.emit('timeout'));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) cb();
    else this.socket.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  /** End after pending output is flushed, then close: how the truncate fault cuts a stream. */
  destroySoon(): void {
    this.socket.destroySoon();
  }

  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms, cb);
    return this;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
}
