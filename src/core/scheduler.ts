/**
 * @module scheduler
 * The clock-driven jobs, in UTC: daily and monthly backups (each followed by retention), the weekly
 * restore test into staging, and a catch-up backup at start-up when the last good one is older than
 * 25 hours. Jobs are plain async functions; this file only decides when they run.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

export interface ScheduledJob {
  name: string;
  cron: string;
  run: () => Promise<unknown>;
}

export interface Scheduler {
  stop(): Promise<void>;
  names(): string[];
}

export function startScheduler(jobs: ScheduledJob[], logger: Logger): Scheduler {
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.cron,
      async () => {
        const log = logger.child({ job: job.name });
        try {
          await job.run();
        } catch (error) {
          // Jobs report their own failures; this only catches what escaped them.
          log.error({ err: error }, `scheduled job ${job.name} failed unexpectedly`);
        }
      },
      { timezone: 'Etc/UTC', name: job.name, noOverlap: true },
    ),
  );
  return {
    names: () => jobs.map((j) => j.name),
    async stop() {
      await Promise.all(tasks.map((t) => t.stop()));
    },
  };
}

/** Hours since the last good backup, or undefined when there never was one. */
export function backupAgeHours(lastSuccess: Date | undefined, now: Date): number | undefined {
  return lastSuccess ? (now.getTime() - lastSuccess.getTime()) / 3_600_000 : undefined;
}

export const MAX_BACKUP_AGE_HOURS = 25;
