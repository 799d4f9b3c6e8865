#!/usr/bin/env node
/**
 * decrypt-backup.mjs — decrypt a vault-chatops backup without the bot (runbook tool).
 *
 *   node scripts/decrypt-backup.mjs --key <base64 key> [--key-id <id>] <in.enc> <out.snap>
 *   BACKUP_KEY=<base64 key> node scripts/decrypt-backup.mjs <in.enc> <out.snap>
 *   node scripts/decrypt-backup.mjs --help
 *
 * The key may be pasted as it appears in BACKUP_KEYS, `<id>:<base64>`: the id is then checked
 * against the one in the file's header (as --key-id would be).
 *
 * Plain Node (>= 20), built-ins only, nothing from the project: copy this one file anywhere.
 * Writes <out.snap>.partial and renames it to <out.snap> only when every byte authenticated;
 * on any failure it removes the partial file, prints one line and exits 1.
 * The result is a raft snapshot for `vault operator raft snapshot restore <out.snap>`.
 *
 * FORMAT vcbk1 (files starting with "VCBK"; all integers big-endian, AES-256-GCM, 16-byte tags):
 *   header:  "VCBK" | 0x01 | key-id length (1 byte) | key-id (UTF-8) | chunk size (4) | nonce prefix (7)
 *   chunk i: ciphertext of `chunk size` plaintext bytes (the last chunk: 0..chunk size) | tag (16)
 *   nonce_i: nonce prefix (7) | i (4) | 0x01 for the last chunk, else 0x00
 *   AAD:     the whole header, for every chunk
 * Each chunk is authenticated before its plaintext is written. Which chunk is last is bound into
 * its nonce, so a file cut at a chunk boundary, reordered, or with bytes appended fails.
 *
 * FORMAT legacy (anything else; what the older backup script wrote):
 *   IV (16) | tag (16) | ciphertext          AES-256-GCM, 16-byte IV, no AAD
 * One tag covers the whole file: the output is only trustworthy once the end was reached
 * without error — which is why everything goes to <out.snap>.partial first.
 */
import { createDecipheriv } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const TAG = 16;

/** A failure whose message is the one line shown to the operator. */
class Failure extends Error {}

/** Collects bytes until `n` are available; returns them as one Buffer and keeps the rest. */
class Buffered {
  parts = [];
  length = 0;
  push(chunk) { this.parts.push(chunk); this.length += chunk.length; }
  take(n) {
    const all = Buffer.concat(this.parts, this.length);
    this.parts = [all.subarray(n)];
    this.length = all.length - n;
    return all.subarray(0, n);
  }
}

function decipher(key, iv, aad, tag) {
  const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
  if (aad) d.setAAD(aad);
  d.setAuthTag(tag);
  return d;
}

/** vcbk1: parse the header, then open chunk after chunk. */
function vcbk1Decryptor(key, expectedKeyId) {
  const input = new Buffered();
  let header; // { bytes, keyId, chunkSize, prefix }
  let index = 0;

  const open = (record, last) => {
    const nonce = Buffer.alloc(12);
    header.prefix.copy(nonce, 0);
    nonce.writeUInt32BE(index, 7);
    nonce[11] = last ? 1 : 0;
    const d = decipher(key, nonce, header.bytes, record.subarray(record.length - TAG));
    const plain = d.update(record.subarray(0, record.length - TAG));
    try { d.final(); return plain; } catch { return undefined; }
  };
  const readHeader = () => {
    if (input.length < 6) return false;
    const idLength = Buffer.concat(input.parts, input.length)[5];
    const length = 6 + idLength + 4 + 7;
    if (input.length < length) return false;
    const bytes = input.take(length);
    if (idLength === 0) throw new Failure('bad header: empty key id');
    if (bytes[4] !== 1) throw new Failure(`unsupported vcbk version ${bytes[4]}`);
    const keyId = bytes.subarray(6, 6 + idLength).toString('utf8');
    if (expectedKeyId !== undefined && keyId !== expectedKeyId) {
      throw new Failure(`the backup was encrypted with key "${keyId}", not "${expectedKeyId}"`);
    }
    const chunkSize = bytes.readUInt32BE(6 + idLength);
    if (chunkSize < 1 || chunkSize > 16 * 1024 * 1024) throw new Failure(`bad header: chunk size ${chunkSize}`);
    header = { bytes, keyId, chunkSize, prefix: bytes.subarray(6 + idLength + 4) };
    return true;
  };

  return new Transform({
    transform(chunk, _enc, done) {
      try {
        input.push(chunk);
        if (!header && !readHeader()) return done();
        const record = header.chunkSize + TAG;
        // Only a record with more bytes after it is surely not the last chunk.
        while (input.length > record) {
          const bytes = input.take(record);
          const plain = open(bytes, false);
          if (plain) { this.push(plain); index += 1; continue; }
          if (open(bytes, true)) throw new Failure(`trailing bytes after the last chunk (chunk ${index})`);
          throw new Failure(`bad tag at chunk ${index} (wrong key, or the file is damaged)`);
        }
        done();
      } catch (error) { done(error); }
    },
    flush(done) {
      try {
        if (!header && !readHeader()) throw new Failure('truncated: the file ends inside the header');
        const rest = input.take(input.length);
        if (rest.length < TAG) throw new Failure(`truncated: chunk ${index} is shorter than its tag`);
        const plain = open(rest, true);
        if (plain) { this.push(plain); return done(); }
        if (open(rest, false)) throw new Failure(`truncated: the file ends after chunk ${index}, which is not the last`);
        throw new Failure(`bad tag at chunk ${index}, the final chunk (truncated, damaged, or bytes appended)`);
      } catch (error) { done(error); }
    },
  });
}

/** legacy: IV and tag up front, one tag checked at the very end. */
function legacyDecryptor(key) {
  const input = new Buffered();
  let d;
  return new Transform({
    transform(chunk, _enc, done) {
      if (!d) {
        input.push(chunk);
        if (input.length < 32) return done();
        const prefix = input.take(32);
        d = decipher(key, prefix.subarray(0, 16), undefined, prefix.subarray(16, 32));
        chunk = input.take(input.length);
      }
      done(null, d.update(chunk));
    },
    flush(done) {
      if (!d) return done(new Failure('truncated: shorter than the 32-byte legacy IV and tag'));
      try { d.final(); done(); } catch { done(new Failure('legacy tag does not match (wrong key, or the file is truncated or damaged)')); }
    },
  });
}

async function readMagic(path) {
  for await (const chunk of createReadStream(path, { start: 0, end: 3 })) return chunk.toString('latin1');
  return '';
}

const USAGE = 'usage: node decrypt-backup.mjs [--key <base64>] [--key-id <id>] <in.enc> <out.snap>  (or BACKUP_KEY=<base64>; --help for more)';

const HELP = `decrypt-backup: decrypt a vault-chatops backup without the bot

${USAGE}

  <in.enc>        the backup object (vcbk1, or the legacy IV|tag|ciphertext layout)
  <out.snap>      where the raft snapshot goes; written as <out.snap>.partial and renamed
                  only when every byte authenticated
  --key <base64>  the 32-byte backup key, base64 (prefer BACKUP_KEY: a flag shows in ps)
  --key-id <id>   refuse a vcbk1 file encrypted under another key id
  --help          this text

The key is one entry of BACKUP_KEYS. Paste the base64 part; "<id>:<base64>" as it appears in
BACKUP_KEYS is accepted too, and its id is then checked against the file's.

Exit 0: written and authenticated. Exit 1: one line says why (wrong key, damaged or truncated
file); no output file is left behind. Then restore it:
  vault operator raft snapshot restore <out.snap>      (OpenBao: bao operator raft snapshot restore)`;

/** `<base64>` or `<id>:<base64>` (a BACKUP_KEYS entry pasted whole) → key bytes and the id, if given. */
function parseKey(text) {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const [id, encoded] = colon > 0 ? [trimmed.slice(0, colon), trimmed.slice(colon + 1)] : [undefined, trimmed];
  if (/[^A-Za-z0-9+/=\s_-]/.test(encoded)) {
    throw new Failure('the key is not base64; paste the part after "<id>:" of a BACKUP_KEYS entry');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) {
    const hint = colon > 0 ? '' : ' (a BACKUP_KEYS entry looks like <id>:<base64>; paste the base64 part)';
    throw new Failure(`the key must be base64 of 32 bytes, it decodes to ${key.length} byte${key.length === 1 ? '' : 's'}${hint}`);
  }
  return { key, id };
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      options: { key: { type: 'string' }, 'key-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new Failure(`${String(error.message).split('. ')[0]}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: HELP };
  if (positionals.length !== 2) throw new Failure(USAGE);
  const [inPath, outPath] = positionals;
  const encoded = values.key ?? process.env.BACKUP_KEY;
  if (!encoded) throw new Failure(`no key given; ${USAGE}`);
  const { key, id } = parseKey(encoded);
  if (id !== undefined && values['key-id'] !== undefined && id !== values['key-id']) {
    throw new Failure(`the key is pasted with id "${id}" but --key-id says "${values['key-id']}"`);
  }
  const expectedKeyId = values['key-id'] ?? id;

  const format = (await readMagic(inPath)) === 'VCBK' ? 'vcbk1' : 'legacy';
  const decryptor = format === 'vcbk1' ? vcbk1Decryptor(key, expectedKeyId) : legacyDecryptor(key);
  const partial = `${outPath}.partial`;
  try {
    await pipeline(createReadStream(inPath), decryptor, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, outPath);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { written: `${outPath} (${format}, authenticated)` };
}

main().then(
  (result) => console.log(result.help ?? `decrypt-backup: wrote ${result.written}`),
  (error) => {
    console.error(`decrypt-backup: failed: ${String(error.message).split('\n')[0]}`);
    process.exit(1);
  },
);
