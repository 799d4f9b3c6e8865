/**
 * @module store/durable-file
 * File-system steps the folder store builds `put` from, after restic's `local.Save`: write to a
 * temporary name with `wx` (never clobber), count the bytes as they pass, fsync the file, and
 * fsync the directory after a rename so the new name survives a crash.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { STREAM_BUFFER_BYTES } from '../streams/buffering.js';
import { TEMP_NAME_PREFIX } from './store-key.js';
import { hasErrnoCode } from './store-errors.js';

/** Backups are secrets (even encrypted): readable by the bot's user only. */
const FILE_MODE = 0o600;
/**
 * The file is flushed to disk (fdatasync, in the background) each time this much more has been
 * written, so the fsync before the rename only waits for the last few MiB. With one fsync at the
 * end, a 1 GiB backup sat 0.7-0.9 s on it with nothing else to do, and all of it stayed dirty in
 * the page cache until then, which a container's memory limit counts.
 */
const FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

/** A fresh temporary path in `dir`, hidden from listings by its reserved prefix. */
export function tempPathIn(dir: string): string {
  return join(dir, `${TEMP_NAME_PREFIX}${randomBytes(12).toString('hex')}`);
}

/**
 * Streams `body` into a new file at `path`, fsyncs it and returns the number of bytes written.
 * `describeError` turns a file-system error (ENOSPC, EIO…) into the error the whole pipe is torn
 * down with: the body's producer sees it first, so without it the person read only "the upload
 * step failed" and the errno stayed in the log.
 */
export async function writeStreamDurably(path: string, body: Readable, describeError: (error: unknown) => Error = (e) => e as Error): Promise<number> {
  let counted = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counted += chunk.length;
      callback(null, chunk);
    },
  });
  // Open first (`wx` refuses to reuse a name): a stream that opens lazily could create the file
  // after a fast failure had already cleaned up, leaving a stray temporary file behind.
  const handle = await open(path, 'wx', FILE_MODE);
  // `flush` fsyncs the file before the stream closes it.
  await pipeline(body, counter, describedWrites(handle, handle.createWriteStream({ flush: true, highWaterMark: STREAM_BUFFER_BYTES }), describeError));
  // Same check as restic: what reached the disk is what passed through.
  const { size } = await stat(path);
  if (size !== counted) throw new Error(`wrote ${size} bytes to ${path} but ${counted} passed through`);
  return counted;
}

/** A writable in front of `file` that fails with `describeError(error)` where `file` fails with `error`. */
function describedWrites(handle: FileHandle, file: Writable, describeError: (error: unknown) => Error): Writable {
  let failed: Error | undefined;
  const fail = (error: unknown): Error => (failed ??= describeError(error));
  let unflushed = 0;
  let flushing: Promise<void> | undefined;
  const written = (bytes: number, callback: (error?: Error | null) => void) => (error?: Error | null) => {
    if (error) return callback(fail(error));
    unflushed += bytes;
    if (unflushed >= FLUSH_EVERY_BYTES && flushing === undefined) {
      unflushed = 0;
      flushing = handle.datasync().then(
        () => { flushing = undefined; },
        (flushError: unknown) => { fail(flushError); },
      );
    }
    // A background flush that failed (EIO) fails the next write, not only the final fsync.
    callback(failed ?? null);
  };
  // The file's own 'error' event follows a failed write; it is reported through the callbacks.
  file.on('error', fail);
  return new Writable({
    highWaterMark: STREAM_BUFFER_BYTES,
    write(chunk: Buffer, _encoding, callback) {
      file.write(chunk, written(chunk.length, callback));
    },
    // The encryptor hands over each chunk's ciphertext and its 16-byte tag as separate buffers:
    // one write (and threadpool round trip) each made the upload 60 % slower than the pipe feeding it.
    writev(chunks, callback) {
      file.cork();
      let bytes = 0;
      for (const { chunk } of chunks) bytes += (chunk as Buffer).length;
      for (let i = 0; i < chunks.length - 1; i += 1) file.write(chunks[i]!.chunk);
      file.write(chunks.at(-1)!.chunk, written(bytes, callback));
      file.uncork();
    },
    final(callback) {
      let done = false;
      const finish = (error?: Error | null) => {
        if (done) return;
        done = true;
        callback(error ? fail(error) : null);
      };
      file.once('error', finish);
      file.once('close', () => finish(failed ?? null));
      // The stream's own fsync (flush: true) then covers everything; a background one still
      // running is waited for first, so the file is never closed under it.
      void (flushing ?? Promise.resolve()).then(() => file.end());
    },
    destroy(error, callback) {
      if (!file.destroyed) file.destroy();
      callback(error);
    },
  });
}

/** Writes `data` to a new file at `path` and fsyncs it. */
export async function writeFileDurably(path: string, data: string): Promise<void> {
  const handle = await open(path, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory so renames and unlinks in it are durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    // Windows cannot open a directory for fsync; the rename is as durable as it gets there.
    if (hasErrnoCode(error, 'EISDIR') || hasErrnoCode(error, 'EPERM')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (and Windows) refuse fsync on a directory; nothing more can be done.
    if (!hasErrnoCode(error, 'EINVAL') && !hasErrnoCode(error, 'EPERM')) throw error;
  } finally {
    await handle.close();
  }
}

/** Removes a file if it exists; used on cleanup paths, where a second failure must not hide the first. */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}
