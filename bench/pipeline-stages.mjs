/**
 * Where a backup's time goes: streams one Vault snapshot through growing prefixes of the backup
 * pipeline and prints MB/s for each, so a slow stage stands out. Runs the compiled code.
 *
 *   npm run build
 *   node --import tsx bench/vault-server-process.ts 209715200 &   # prints {"url","token"}
 *   node bench/pipeline-stages.mjs <url> <token> raw|validate|hash|encrypt|all|allfile
 */
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VaultClient } from '../dist/core/vault/client.js';
import { createSnapshotValidator } from '../dist/core/backup/validate-snapshot.js';
import { HashingStream } from '../dist/core/streams/hashing-stream.js';
import { createEncryptStream } from '../dist/core/crypto/encrypt-stream.js';

const [url, token, stage = 'all'] = process.argv.slice(2);
const client = new VaultClient({ addr: url, token });
const key = { id: 'bench', key: randomBytes(32) };
const out = join(tmpdir(), `vc-stage-${process.pid}.enc`);
const sink = () => new Writable({ highWaterMark: 1 << 20, write: (_chunk, _enc, done) => done() });
const counter = new HashingStream();

const started = process.hrtime.bigint();
const snapshot = await client.snapshot();
const stages = {
  raw: () => [snapshot, counter, sink()],
  validate: () => [snapshot, counter, createSnapshotValidator(), sink()],
  hash: () => [snapshot, counter, new HashingStream(), sink()],
  encrypt: () => [snapshot, counter, createEncryptStream(key), sink()],
  all: () => [snapshot, createSnapshotValidator(), counter, createEncryptStream(key), new HashingStream(), sink()],
  allfile: () => [snapshot, createSnapshotValidator(), counter, createEncryptStream(key), new HashingStream(), createWriteStream(out, { highWaterMark: 1 << 20 })],
};
if (!stages[stage]) throw new Error(`unknown stage ${stage}; one of ${Object.keys(stages).join(', ')}`);
await pipeline(...stages[stage]());
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`${stage.padEnd(9)} ${(counter.bytes / 1e6 / seconds).toFixed(0)} MB/s`);
client.stop();
await rm(out, { force: true });
