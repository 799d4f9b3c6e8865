/**
 * @module rotation/backup-key-claim
 * Only one backup-key rotation at a time, across processes (the bot's Slack approval and the CLI
 * share the database): two runs replacing the same objects would race on `rotating/<key>`. The
 * claim names the caller's run lease, so a rotation whose process died (lease missing or stale)
 * does not block the next one. Take it while holding the lease (`engine.holdStoreWork()`).
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { RunLease } from '../backup/run-lease.js';
import type { Clock } from '../clock.js';
import { CoreError, ErrorCode } from '../errors.js';

interface ClaimRow {
  owner: string;
  actor: string;
  via: string;
  claimed_at: string;
}

/**
 * Claims the rotation for `actor` (`via`: "Slack" or "the CLI"), or refuses with one sentence
 * naming who holds it. Returns the release function (harmless twice).
 */
export function claimBackupKeyRotation(db: Database, lease: Pick<RunLease, 'token' | 'isAlive'>, clock: Clock, actor: string, via: string): () => void {
  const claimId = randomUUID();
  db.transaction(() => {
    const row = db.prepare(`SELECT owner, actor, via, claimed_at FROM backup_key_rotation_claim WHERE id = 1`).get() as ClaimRow | undefined;
    if (row && lease.isAlive(row.owner)) {
      throw new CoreError(
        ErrorCode.BackupRunning,
        `A backup-key rotation is already running (started by ${row.actor} from ${row.via} at ${row.claimed_at}); wait for it to finish, then run this again if backups remain under an old key.`,
      );
    }
    db.prepare(
      `INSERT INTO backup_key_rotation_claim (id, claim_id, owner, actor, via, claimed_at) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET claim_id = excluded.claim_id, owner = excluded.owner, actor = excluded.actor, via = excluded.via, claimed_at = excluded.claimed_at`,
    ).run(claimId, lease.token, actor, via, clock().toISOString());
  }).immediate();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    db.prepare(`DELETE FROM backup_key_rotation_claim WHERE id = 1 AND claim_id = ?`).run(claimId);
  };
}

/**
 * Runs `work` as the one backup-key rotation: the store lease is held first (so no other
 * process's sweep takes our `rotating/` copies), then the claim; both are released however
 * `work` ends. The Slack action and the CLI both go through here.
 */
export async function asTheBackupKeyRotation<T>(
  o: { db: Database; engine: { lease: Pick<RunLease, 'token' | 'isAlive'>; holdStoreWork(): () => void }; clock: Clock; actor: string; via: string },
  work: () => Promise<T>,
): Promise<T> {
  const release = o.engine.holdStoreWork();
  try {
    const unclaim = claimBackupKeyRotation(o.db, o.engine.lease, o.clock, o.actor, o.via);
    try {
      return await work();
    } finally {
      unclaim();
    }
  } finally {
    release();
  }
}
