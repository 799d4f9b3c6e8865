/**
 * @module backup/verify-backup
 * `backup verify <key|latest>`: proves a stored backup would restore — its bytes match the recorded
 * sha256, every chunk authenticates, the plaintext matches `plain-sha256`, and the snapshot inside
 * is complete. The same code path as a restore's download step, so the check means what it says.
 */
import type { Keyring } from '../crypto/keyring.js';
import type { BackupStore } from '../store/backup-store.js';
import { fetchAndDecrypt } from '../restore/fetch-and-decrypt.js';
import { planRestore, type CatalogueLookup, type RestorePlan } from '../restore/restore-plan.js';

export interface VerifiedBackup {
  plan: RestorePlan;
  plainBytes: number;
  plainSha256: string;
  format: 'vcbk1' | 'legacy';
}

export async function verifyBackup(
  store: BackupStore, keyring: Keyring, spec: string, workDir: string, owner: string, catalogue?: CatalogueLookup,
): Promise<VerifiedBackup> {
  // The catalogue, when it knows the object, is what the bytes must match (not the object's own sidecar).
  const plan = await planRestore(store, spec, { target: 'staging', ...(catalogue ? { catalogue } : {}) });
  const snapshot = await fetchAndDecrypt(store, plan, keyring, workDir, owner, { keepPlaintext: false });
  await snapshot.cleanup();
  return { plan, plainBytes: snapshot.bytes, plainSha256: snapshot.sha256, format: snapshot.format };
}
