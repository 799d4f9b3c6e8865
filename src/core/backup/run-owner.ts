/**
 * @module backup/run-owner
 * Identifies the process that runs a backup or restore as `host:pid`, and tells whether that
 * process is still alive, so a crash is told apart from a run that is merely going on elsewhere.
 */
import { hostname } from 'node:os';

export const THIS_PROCESS = `${hostname()}:${process.pid}`;

/**
 * False only when we can tell the owner is gone: on this host with no such process. A run owned
 * by another host, or recorded before owners were, counts as gone only when `owner` is null.
 */
export function ownerAlive(owner: string | null): boolean {
  if (owner === null) return false;
  const at = owner.lastIndexOf(':');
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  if (host !== hostname()) return true;
  return pidAlive(pid);
}

/** Whether a process with this id exists on this host. */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; ESRCH: it is gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
