/**
 * The ceiling: Node's own AES-256-GCM (64 KiB chunks, as vcbk1) plus SHA-256 over the same number
 * of bytes, in memory, no I/O. The pipeline cannot beat this; the ratio says how close it gets.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

const total = Number(process.argv[2]);
const chunk = randomBytes(64 * 1024);
const key = randomBytes(32);
const iv = randomBytes(12);
const hash = createHash('sha256');
const started = process.hrtime.bigint();
for (let done = 0; done < total; done += chunk.length) {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  hash.update(chunk);
  cipher.update(chunk);
  cipher.final();
  cipher.getAuthTag();
}
hash.digest();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ mode: 'ceiling', bytes: total, seconds, mbPerSec: total / 1e6 / seconds })}\n`);
