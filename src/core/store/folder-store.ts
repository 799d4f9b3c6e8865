/**
 * @module store/folder-store
 * A BackupStore on a local or mounted folder. Each object is a file at `<root>/<key>`, its
 * metadata a JSON sidecar `<file name>.json` beside it (DESIGN §4). Writes go to temporary names
 * first, so a crash or a failed stream never leaves a half-written backup under its final name.
 */
import { open, mkdir, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { CoreError, ErrorCode } from '../errors.js';
import type { BackupStore, ListedObject, ObjectDigest, ObjectMetadata, PutOptions, StoredObject } from './backup-store.js';
import { removeQuietly, syncDirectory, tempPathIn, writeFileDurably, writeStreamDurably } from './durable-file.js';
import { checkMetadata } from './object-metadata.js';
import { FILE_READ_BYTES } from '../streams/buffering.js';
import { createSha256 } from '../streams/threaded-sha256.js';
import { hasErrnoCode, storeFailed, storeNotFound } from './store-errors.js';
import { SIDECAR_SUFFIX, TEMP_NAME_PREFIX, assertValidKey, assertValidPrefix } from './store-key.js';

export class FolderStore implements BackupStore {
  readonly location: string;

  /** `root` must be absolute; it is created on the first `put`. */
  constructor(readonly root: string) {
    if (!isAbsolute(root)) throw new TypeError(`FolderStore needs an absolute path, got ${root}`);
    this.location = pathToFileURL(root).href;
  }

  async put(key: string, body: Readable, metadata: () => ObjectMetadata, options: PutOptions = {}): Promise<{ size: number }> {
    const replacing = options.replaceExisting === true;
    const file = this.pathOf(key);
    const sidecar = file + SIDECAR_SUFFIX;
    const dir = dirname(file);
    let tempObject: string | undefined;
    let tempSidecar: string | undefined;
    let renamed = false;
    try {
      await mkdir(dir, { recursive: true });
      tempObject = tempPathIn(dir);
      // The errno (ENOSPC, EIO) reaches whoever feeds the body, not only this rejection.
      const size = await writeStreamDurably(tempObject, body, (error) => storeFailed(this.location, 'write', key, error));
      const json = `${JSON.stringify(checkMetadata(metadata()), null, 2)}\n`;
      tempSidecar = tempPathIn(dir);
      await writeFileDurably(tempSidecar, json);
      if (replacing) {
        // Replacing an object that is already listed: object first (one atomic rename over the old
        // file), sidecar second. A crash between them leaves new bytes with the old metadata, which
        // the next rotation redoes; never old bytes described as new ones.
        await rename(tempObject, file);
        tempObject = undefined;
        await rename(tempSidecar, sidecar);
        tempSidecar = undefined;
      } else {
        // Sidecar first: `list` only shows objects, so once the object appears its sidecar is there.
        renamed = true;
        await rename(tempSidecar, sidecar);
        await rename(tempObject, file);
      }
      await syncDirectory(dir);
      return { size };
    } catch (error) {
      body.destroy();
      if (tempObject !== undefined) await removeQuietly(tempObject);
      if (tempSidecar !== undefined) await removeQuietly(tempSidecar);
      // Contract: a rejected put leaves nothing under `key`, even if a rename half-happened —
      // except a replace, whose failure never removes what is under `key`.
      if (renamed && !replacing) {
        await removeQuietly(file);
        await removeQuietly(sidecar);
      }
      throw storeFailed(this.location, 'write', key, error);
    }
  }

  async get(key: string): Promise<Readable> {
    // Opened before returning, so a missing key rejects here instead of erroring mid-stream.
    const handle = await this.openObject(key);
    // 64 KiB reads made a read-back verify hash at half speed; see FILE_READ_BYTES.
    return handle.createReadStream({ highWaterMark: FILE_READ_BYTES });
  }

  async digest(key: string): Promise<ObjectDigest> {
    const handle = await this.openObject(key);
    const hash = createSha256();
    try {
      let current = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
      let next = Buffer.allocUnsafeSlow(FILE_READ_BYTES);
      let size = 0;
      let reading = handle.read(current, 0, FILE_READ_BYTES, size);
      for (;;) {
        const { bytesRead } = await reading;
        if (bytesRead === 0) break;
        size += bytesRead;
        // The next piece is read into the other buffer while this one is hashed.
        reading = handle.read(next, 0, FILE_READ_BYTES, size);
        hash.update(current.subarray(0, bytesRead));
        [current, next] = [next, current];
      }
      return { size, sha256: hash.digest() };
    } catch (error) {
      hash.abandon();
      throw storeFailed(this.location, 'read', key, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const file = this.pathOf(key);
    try {
      const info = await stat(file).catch((error: unknown) => {
        if (hasErrnoCode(error, 'ENOENT')) return undefined;
        throw error;
      });
      if (info === undefined || !info.isFile()) return undefined;
      return { key, size: info.size, metadata: await readSidecar(file + SIDECAR_SUFFIX) };
    } catch (error) {
      throw storeFailed(this.location, 'read the metadata of', key, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<ListedObject> {
    assertValidPrefix(prefix);
    // Start at the deepest folder the prefix names in full; filter names by the rest.
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash);
    try {
      for await (const object of this.walk(base)) {
        if (object.key.startsWith(prefix)) yield object;
      }
    } catch (error) {
      throw storeFailed(this.location, 'list', prefix || undefined, error);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      // Object first: a listed object never lacks its sidecar, not even while being deleted.
      await unlinkIfPresent(file);
      await unlinkIfPresent(file + SIDECAR_SUFFIX);
      await syncDirectory(dirname(file)).catch((error: unknown) => {
        if (!hasErrnoCode(error, 'ENOENT')) throw error;
      });
    } catch (error) {
      throw storeFailed(this.location, 'delete', key, error);
    }
  }

  async sweepLeftovers(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    const visit = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          await visit(path);
        } else if (entry.name.startsWith(TEMP_NAME_PREFIX)) {
          const info = await stat(path).catch(() => undefined);
          if (info !== undefined && info.mtimeMs < cutoff && (await rm(path, { force: true }).then(() => true, () => false))) removed += 1;
        }
      }
    };
    await visit(this.root);
    return removed;
  }

  private async openObject(key: string): Promise<FileHandle> {
    const file = this.pathOf(key);
    try {
      const handle = await open(file, 'r');
      // A folder name is not an object (Linux lets `open` succeed on a directory).
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw Object.assign(new Error(`${file} is not a file`), { code: 'ENOENT' });
      }
      return handle;
    } catch (error) {
      if (hasErrnoCode(error, 'ENOENT')) throw storeNotFound(this.location, key, error);
      throw storeFailed(this.location, 'read', key, error);
    }
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  private async *walk(relDir: string): AsyncGenerator<ListedObject> {
    const abs = relDir === '' ? this.root : join(this.root, ...relDir.split('/'));
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (error) {
      // The store's own folder missing is a wrong BACKUP_STORE (or no backup yet), never "no backups".
      if (relDir === '' && hasErrnoCode(error, 'ENOENT')) {
        throw new CoreError(ErrorCode.StoreFailed, `The backup folder ${this.root} does not exist (no such folder); check BACKUP_STORE.`, { cause: error });
      }
      // The store's path is a file, or lies under one: also a wrong BACKUP_STORE, never "no backups".
      if (relDir === '' && hasErrnoCode(error, 'ENOTDIR')) {
        throw new CoreError(ErrorCode.StoreFailed, `The backup folder ${this.root} is not a folder (${osMessage(error)}); check BACKUP_STORE.`, { cause: error });
      }
      if (hasErrnoCode(error, 'ENOENT') || hasErrnoCode(error, 'ENOTDIR')) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_NAME_PREFIX)) continue;
      const key = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        yield* this.walk(key);
      } else if (entry.isFile() && !entry.name.endsWith(SIDECAR_SUFFIX)) {
        // Deleted between readdir and stat: it is gone, so it is not listed.
        const info = await stat(join(abs, entry.name)).catch(() => undefined);
        if (info !== undefined) yield { key, size: info.size };
      }
    }
  }
}

/** Reads a sidecar; a missing one means an object copied in by hand, which has no metadata. */
async function readSidecar(path: string): Promise<ObjectMetadata> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasErrnoCode(error, 'ENOENT')) return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path} does not hold a JSON object`);
  }
  const metadata: ObjectMetadata = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') metadata[name] = value;
  }
  return metadata;
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!hasErrnoCode(error, 'ENOENT')) throw error;
  });
}

/** A file-system error's own first line (`ENOTDIR: not a directory, scandir '/srv/backups'`). */
function osMessage(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0]!.trim() : String(error);
  return message.slice(0, 300);
}
