/**
 * @module pagerduty/change-events
 * Completed restores, recoveries, rotations, rekeys and drills as PagerDuty change events, so an
 * incident responder sees what changed before the page. One process-wide recorder: code that
 * finishes such work calls `changeEvents.record(…)` and moves on. Without PAGERDUTY_ROUTING_KEY
 * it does nothing; it never waits and never throws.
 *
 * @example
 * changeEvents.record({
 *   summary: 'Rotated secret/data/app/db (field password) by U0ALICE',
 *   source: 'vault.example.com:8200',
 *   custom_details: { kind: 'rotation', path: 'secret/data/app/db', request: 'req_7f3a9c' },
 * });
 */
import type { PagerDutyClient } from './events-client.js';

export interface ChangeEvent {
  /** One line: what changed, e.g. "Restored daily/2025-11-26/… into production". Max 1024 characters. */
  summary: string;
  /** Where it changed, e.g. the Vault host. Default: the configured cluster. */
  source?: string;
  /** Plain facts (kind, key, request id, duration); never a secret value, token or key share. */
  custom_details?: Record<string, unknown>;
  /** When it happened; default now. */
  timestamp?: Date;
}

export interface ChangeEventRecorder {
  record(event: ChangeEvent): void;
}

class Recorder implements ChangeEventRecorder {
  #client: Pick<PagerDutyClient, 'sendChange'> | undefined;
  #source = 'vault-chatops';

  /** Wired at start-up (bot or CLI) when PAGERDUTY_ROUTING_KEY is set; `undefined` turns it off. */
  use(client: Pick<PagerDutyClient, 'sendChange'> | undefined, defaultSource?: string): void {
    this.#client = client;
    if (defaultSource) this.#source = defaultSource;
  }

  record(event: ChangeEvent): void {
    if (!this.#client) return;
    const summary = event.summary.length > 1024 ? `${event.summary.slice(0, 1023)}…` : event.summary;
    this.#client.sendChange({
      payload: {
        summary,
        source: event.source ?? this.#source,
        timestamp: (event.timestamp ?? new Date()).toISOString(),
        ...(event.custom_details ? { custom_details: event.custom_details } : {}),
      },
    });
  }
}

export const changeEvents = new Recorder();
