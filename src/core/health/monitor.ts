/**
 * @module health/monitor
 * The health job the scheduler runs on HEALTH_CRON: one round of checks, then the alert engine.
 * It runs beside the backup work, never on its path, and a round still running when the next is
 * due is not started twice. It remembers when a round last finished, so `/healthz` can tell a
 * stalled scheduler from a quiet one.
 */
import type { AlertEngine } from '../alerts/engine.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ScheduledJob } from '../scheduler.js';
import type { HealthRound } from './types.js';

export interface HealthMonitorOptions {
  /** One round against the configured Vault and store (see `runHealthRound`). */
  round: () => Promise<HealthRound>;
  engine: Pick<AlertEngine, 'observe'>;
  logger: Logger;
  clock?: Clock;
  /** Called after each round (metrics). */
  onRound?: (round: HealthRound) => void;
}

export class HealthMonitor {
  readonly #o: HealthMonitorOptions;
  readonly #clock: Clock;
  #running: Promise<HealthRound> | undefined;
  #last: HealthRound | undefined;
  #lastFinishedAt: Date | undefined;

  constructor(o: HealthMonitorOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
  }

  /** One round now; a call while a round runs shares that round. */
  tick(): Promise<HealthRound> {
    this.#running ??= this.#tick().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Waits for a round in progress (stop: the database must outlive it). */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  lastRound(): HealthRound | undefined {
    return this.#last;
  }

  lastFinishedAt(): Date | undefined {
    return this.#lastFinishedAt;
  }

  job(cron: string): ScheduledJob {
    return { name: 'health', cron, run: () => this.tick() };
  }

  async #tick(): Promise<HealthRound> {
    const round = await this.#o.round();
    this.#last = round;
    try {
      await this.#o.engine.observe(round);
    } finally {
      this.#lastFinishedAt = this.#clock();
      this.#o.onRound?.(round);
    }
    const failed = round.results.filter((r) => r.state === 'fail').map((r) => r.name);
    this.#o.logger.debug({ failed, durationMs: round.durationMs }, 'health round finished');
    return round;
  }
}
