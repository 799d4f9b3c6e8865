import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';

import { createSnapshotValidator, SnapshotValidator } from '../../../src/core/backup/validate-snapshot.js';
import { isCoreError } from '../../../src/core/errors.js';
import type { Sha256 } from '../../../src/core/streams/threaded-sha256.js';
import { flip, run } from '../crypto/helpers.js';

/** A tar of the given members, in order, as tar-stream writes it (uncompressed). */
async function tarOf(members: Array<[name: string, body: Buffer]>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const [name, body] of members) {
    await new Promise<void>((resolve, reject) => archive.entry({ name, size: body.length }, body, (e) => (e ? reject(e) : resolve())));
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Shaped like a Vault raft snapshot: meta.json, state.bin, SHA256SUMS, SHA256SUMS.sealed. */
async function snapshot(stateBytes = 256 * 1024, overrides: { members?: Array<[string, Buffer]> } = {}): Promise<Buffer> {
  const state = randomBytes(stateBytes);
  const meta = Buffer.from(JSON.stringify({ Version: 1, Index: 42, Term: 3 }));
  const sums = sumsOf([['meta.json', meta], ['state.bin', state]]);
  const members = overrides.members ?? [
    ['meta.json', meta],
    ['state.bin', state],
    ['SHA256SUMS', sums],
    ['SHA256SUMS.sealed', randomBytes(256)],
  ];
  return gzipSync(await tarOf(members));
}

/** SHA256SUMS as hashicorp/raft-snapshot writes it: "<hex>  <name>" lines. */
function sumsOf(members: Array<[name: string, body: Buffer]>): Buffer {
  return Buffer.from(members.map(([name, body]) => `${createHash('sha256').update(body).digest('hex')}  ${name}\n`).join(''));
}

async function rejection(bytes: Buffer): Promise<string> {
  const { error } = await run(createSnapshotValidator(), bytes);
  if (isCoreError(error, 'snapshot_invalid')) return error.message;
  throw new Error(`expected snapshot_invalid, got ${String(error)}`);
}

/**
 * A real SHA-256 that behaves like a helper thread always behind: an offer takes at most 4 096
 * bytes, and after one there is no room until a later turn of the event loop.
 */
class BehindSha256 implements Sha256 {
  static shortOffers = 0;
  private readonly hash = createHash('sha256');
  private full = false;
  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }
  offer(bytes: Uint8Array, at: number): number {
    if (this.full) {
      BehindSha256.shortOffers += 1;
      return at;
    }
    const end = Math.min(bytes.length, at + 4096);
    this.hash.update(bytes.subarray(at, end));
    this.full = true;
    return end;
  }
  room(): Promise<void> {
    return new Promise((resolve) => setTimeout(() => {
      this.full = false;
      resolve();
    }, 0));
  }
  digest(): string {
    return this.hash.digest('hex');
  }
  abandon(): void {}
}

describe('snapshot validator', () => {
  it('passes a whole snapshot through unchanged and summarises it', async () => {
    const bytes = await snapshot(1024 * 1024);
    const validator = createSnapshotValidator();
    const { output, error } = await run(validator, bytes, 3000);
    expect(error).toBeUndefined();
    expect(output.equals(bytes)).toBe(true);
    expect(validator.summary).toMatchObject({
      memberCount: 4,
      plainSize: bytes.length,
      members: [
        { name: 'meta.json' },
        { name: 'state.bin', size: 1024 * 1024 },
        { name: 'SHA256SUMS' },
        { name: 'SHA256SUMS.sealed', size: 256 },
      ],
      checkedMembers: ['meta.json', 'state.bin'],
    });
    expect(validator.summary?.uncompressedSize).toBeGreaterThan(1024 * 1024);
  });

  it('keeps up with a large snapshot through a slow consumer without failing', async () => {
    const bytes = await snapshot(8 * 1024 * 1024);
    const validator = createSnapshotValidator();
    let seen = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        setImmediate(done);
      },
    });
    await pipeline(Readable.from([bytes.subarray(0, 5_000_000), bytes.subarray(5_000_000)]), validator, slow);
    expect(seen).toBe(bytes.length);
    expect(validator.summary?.memberCount).toBe(4);
  });

  // A member whose hash has no room pauses while the archive goes on arriving: its end must
  // wait for the bytes still waiting, or its digest would miss them.
  it('hashes every byte of a member whose hash keeps running out of room, and still catches a changed byte', async () => {
    const state = randomBytes(3 * 1024 * 1024 + 5);
    const meta = Buffer.from('{"Index":42}');
    const sums = sumsOf([['meta.json', meta], ['state.bin', state]]);
    const changed = Buffer.from(state);
    flip(changed, state.length - 3, 0x04);
    const archive = (body: Buffer) => snapshot(0, { members: [['meta.json', meta], ['state.bin', body], ['SHA256SUMS', sums], ['SHA256SUMS.sealed', randomBytes(64)]] });

    BehindSha256.shortOffers = 0;
    const validator = new SnapshotValidator(() => new BehindSha256());
    const { output, error } = await run(validator, await archive(state), 100_000);
    expect(error).toBeUndefined();
    expect(output.length).toBeGreaterThan(state.length);
    expect(validator.summary).toMatchObject({ checkedMembers: ['meta.json', 'state.bin'], members: [{}, { name: 'state.bin', size: state.length }, {}, {}] });
    expect(BehindSha256.shortOffers).toBeGreaterThan(10);

    const caught = await run(new SnapshotValidator(() => new BehindSha256()), await archive(changed), 100_000);
    expect(String(caught.error)).toMatch(/the contents of "state.bin" do not match SHA256SUMS/);
  });

  // Several at once keep the one hashing helper behind, so members wait for room in their hash
  // while the archive is read on; every byte must still be hashed, in order, and a change caught.
  it('checks every member exactly when the hashing helper falls behind, and still catches a changed byte', async () => {
    const state = randomBytes(24 * 1024 * 1024);
    const meta = Buffer.from('{"Index":42}');
    const sealed = randomBytes(64);
    const sums = sumsOf([['meta.json', meta], ['state.bin', state]]);
    const changed = Buffer.from(state);
    flip(changed, state.length - 1000, 0x80);
    const archive = (body: Buffer) => snapshot(0, { members: [['meta.json', meta], ['state.bin', body], ['SHA256SUMS', sums], ['SHA256SUMS.sealed', sealed]] });
    const good = await archive(state);
    const bad = await archive(changed);

    const inputs = [good, good, bad, good];
    const validators = inputs.map(() => createSnapshotValidator());
    const results = await Promise.all(inputs.map((bytes, i) => run(validators[i]!, bytes, 200_000)));

    for (const i of [0, 1, 3]) {
      expect(results[i]!.error).toBeUndefined();
      expect(validators[i]!.summary).toMatchObject({ checkedMembers: ['meta.json', 'state.bin'], members: [{ name: 'meta.json' }, { name: 'state.bin', size: state.length }, {}, {}] });
    }
    expect(isCoreError(results[2]!.error, 'snapshot_invalid')).toBe(true);
    expect(String(results[2]!.error)).toMatch(/the contents of "state.bin" do not match SHA256SUMS/);
  });

  it('rejects an empty snapshot', async () => {
    expect(await rejection(Buffer.alloc(0))).toBe('The snapshot is not usable: Vault returned an empty snapshot.');
  });

  it('rejects something that is not gzip, showing how it starts', async () => {
    const message = await rejection(Buffer.from('{"errors":["permission denied"]}'));
    expect(message).toMatch(/not gzip data \(it starts with 7b 22 65 72, a Vault snapshot starts with 1f 8b\)/);
  });

  it('rejects a snapshot cut short anywhere', async () => {
    const bytes = await snapshot();
    for (const keep of [1, 10, Math.floor(bytes.length / 2), bytes.length - 4]) {
      expect(await rejection(bytes.subarray(0, keep))).toMatch(/gzip stream is truncated/);
    }
  });

  it('rejects gzip data that is corrupt or does not hold a tar archive', async () => {
    const bytes = await snapshot();
    flip(bytes, bytes.length - 6, 0xff); // inside the CRC32 trailer
    expect(await rejection(bytes)).toMatch(/gzip data is corrupt/);
    expect(await rejection(gzipSync(randomBytes(2000)))).toMatch(/not a valid tar archive|tar archive inside is truncated/);
    const tar = await tarOf([['state.bin', randomBytes(5000)]]);
    expect(await rejection(gzipSync(tar.subarray(0, 3000)))).toMatch(/tar archive inside is truncated/);
  });

  it('rejects a snapshot whose last member is not a non-empty SHA256SUMS.sealed', async () => {
    const meta = Buffer.from('{}');
    const sealed = randomBytes(64);
    const without = await snapshot(0, { members: [['meta.json', meta], ['state.bin', randomBytes(100)], ['SHA256SUMS', meta]] });
    expect(await rejection(without)).toMatch(/its last member is "SHA256SUMS", expected a non-empty SHA256SUMS.sealed/);
    const notLast = await snapshot(0, { members: [['SHA256SUMS.sealed', sealed], ['state.bin', randomBytes(100)]] });
    expect(await rejection(notLast)).toMatch(/its last member is "state.bin"/);
    const empty = await snapshot(0, { members: [['state.bin', randomBytes(100)], ['SHA256SUMS.sealed', Buffer.alloc(0)]] });
    expect(await rejection(empty)).toMatch(/its last member is an empty SHA256SUMS.sealed/);
    expect(await rejection(gzipSync(await tarOf([])))).toMatch(/the archive holds no files/);
  });

  it('rejects a snapshot whose contents do not match its SHA256SUMS, as Vault\'s own restore would', async () => {
    const meta = Buffer.from('{"Index":42}');
    const state = randomBytes(300 * 1024);
    const sealed = randomBytes(64);
    const of = (members: Array<[string, Buffer]>) => snapshot(0, { members: [...members, ['SHA256SUMS.sealed', sealed]] });

    // One byte of state.bin changed after Vault summed it: gzip and tar are still well formed.
    const changed = Buffer.from(state);
    flip(changed, 123_456, 0x01);
    const sums = sumsOf([['meta.json', meta], ['state.bin', state]]);
    expect(await rejection(await of([['meta.json', meta], ['state.bin', changed], ['SHA256SUMS', sums]]))).toMatch(
      /the contents of "state.bin" do not match SHA256SUMS \(sha256 [0-9a-f]{12}…, listed [0-9a-f]{12}…\); the snapshot is corrupt/,
    );
    expect(await rejection(await of([['meta.json', meta], ['SHA256SUMS', sums]]))).toMatch(/its SHA256SUMS lists "state.bin", which the archive does not hold/);
    expect(await rejection(await of([['meta.json', meta], ['state.bin', state]]))).toMatch(/the archive has no SHA256SUMS/);
    expect(await rejection(await of([['meta.json', meta], ['SHA256SUMS', Buffer.from('\n')]]))).toMatch(/its SHA256SUMS is empty/);
    expect(await rejection(await of([['meta.json', meta], ['SHA256SUMS', Buffer.from('deadbeef meta.json\n')]]))).toMatch(
      /its SHA256SUMS has a line that is not "<sha256>  <name>": "deadbeef meta.json"/,
    );
    expect(await rejection(await of([['SHA256SUMS', Buffer.alloc(64 * 1024, 0x61)]]))).toMatch(/its SHA256SUMS is 65536 bytes or more/);

    // The same archive with the original state.bin passes.
    const good = await of([['meta.json', meta], ['state.bin', state], ['SHA256SUMS', sums]]);
    const validator = createSnapshotValidator();
    expect((await run(validator, good)).error).toBeUndefined();
    expect(validator.summary?.checkedMembers).toEqual(['meta.json', 'state.bin']);
  });

  it('fails the whole pipeline so nothing downstream treats the bytes as a backup', async () => {
    const bytes = (await snapshot()).subarray(0, 5000);
    let finished = false;
    const sink = new Writable({
      write: (_chunk, _encoding, done) => done(),
      final: (done) => {
        finished = true;
        done();
      },
    });
    await expect(pipeline(Readable.from([bytes]), createSnapshotValidator(), sink)).rejects.toMatchObject({ code: 'snapshot_invalid' });
    expect(finished).toBe(false);
  });
});
