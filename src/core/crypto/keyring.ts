/**
 * @module crypto/keyring
 * Turns the configured `BACKUP_KEYS` and `BACKUP_ACTIVE_KEY` into the keys that
 * encrypt new backups (the active one) and decrypt old ones (all of them), so keys can rotate
 * without making older backups unreadable.
 *
 * Error messages name the variable, the entry position or id and the rule broken, and never
 * contain key material: a misplaced comma could otherwise put a key into Slack or the log.
 */
import { CoreError, ErrorCode } from '../errors.js';

/** vcbk1 stores the key id behind a one-byte length (DESIGN §5). */
export const MAX_KEY_ID_BYTES = 255;
/** AES-256. */
export const KEY_BYTES = 32;

export interface BackupKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface Keyring {
  /** The key new backups are encrypted with. */
  readonly active: BackupKey;
  get(id: string): BackupKey | undefined;
  /** Every key, in the order given in BACKUP_KEYS. */
  all(): readonly BackupKey[];
}

const GOOD_VALUE = 'e.g. BACKUP_KEYS=k1:$(openssl rand -base64 32)';

function invalid(problem: string): CoreError {
  return new CoreError(ErrorCode.ConfigInvalid, `${problem} (${GOOD_VALUE})`);
}

/**
 * Builds the keyring from the keys configuration parsed out of `BACKUP_KEYS` (config/keyring.ts
 * reads the text; this checks what the format needs). `activeId` undefined or empty means the
 * first key.
 *
 * @example
 *   const keyring = keyringFromKeys(config.backup.keys, config.backup.activeKeyId);
 *   keyring.active.id; // "k2"
 *   keyring.get('k1'); // still there to decrypt last year's backups
 */
export function keyringFromKeys(keys: readonly BackupKey[], activeId?: string): Keyring {
  if (keys.length === 0) throw invalid('BACKUP_KEYS is empty; it needs at least one id:base64key');
  const byId = new Map<string, BackupKey>();
  for (const [index, { id, key }] of keys.entries()) {
    const idBytes = Buffer.byteLength(id, 'utf8');
    const position = `entry ${index + 1} of BACKUP_KEYS`;
    if (idBytes === 0) throw invalid(`${position} has an empty key id`);
    // Not quoted: an over-long "id" is more likely a key pasted in the wrong place.
    if (idBytes > MAX_KEY_ID_BYTES) throw invalid(`${position}: its key id is ${idBytes} bytes, at most ${MAX_KEY_ID_BYTES} are allowed`);
    if (byId.has(id)) throw invalid(`BACKUP_KEYS names key "${id}" twice`);
    if (key.length !== KEY_BYTES) {
      throw invalid(`BACKUP_KEYS: key "${id}" is ${key.length} bytes, it must be exactly ${KEY_BYTES}`);
    }
    byId.set(id, Object.freeze({ id, key }));
  }
  const ordered = Object.freeze([...byId.values()]);

  const wanted = activeId?.trim() || undefined;
  const active = wanted === undefined ? ordered[0] : byId.get(wanted);
  if (active === undefined) {
    const known = ordered.map((k) => `"${k.id}"`).join(', ');
    throw invalid(`BACKUP_ACTIVE_KEY is "${wanted}", which is not in BACKUP_KEYS (it has ${known})`);
  }

  return {
    active,
    get: (id) => byId.get(id),
    all: () => ordered,
  };
}
