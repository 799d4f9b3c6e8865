/**
 * @module interactivity The two short-lived capabilities Slack hands out with every interaction:
 * trigger_ids (about 3 s, single use, for `views.open`) and response_urls (5 uses within 30 min).
 * Expiry is modelled on the injected clock so tests can reproduce `expired_trigger_id` and an
 * overused response_url without waiting (reference §9 item 6).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../src/core/clock.js';
import type { ResponseUrlContext, ResponseUrlMessage } from './types.js';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
export const TRIGGER_TTL_MS = 3000;

/** Why a trigger_id was refused, named as `views.open` names it. */
export type TriggerError = 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id';

interface Trigger {
  createdAt: number;
  used: boolean;
}

export interface ResponseUrlRecord {
  id: string;
  context: ResponseUrlContext;
  createdAt: number;
  messages: ResponseUrlMessage[];
}

export class Interactivity {
  private readonly triggers = new Map<string, Trigger>();
  private readonly urls = new Map<string, ResponseUrlRecord>();
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly triggerTtlMs: number,
  ) {}

  /** A trigger_id in Slack's `<digits>.<digits>.<hex>` shape. */
  mintTrigger(): string {
    this.counter += 1;
    const id = `${1_000_000_000 + this.counter}.${this.clock().getTime()}.${randomBytes(16).toString('hex')}`;
    this.triggers.set(id, { createdAt: this.clock().getTime(), used: false });
    return id;
  }

  /** Spends a trigger_id; returns the refusal code if it cannot be used. */
  exchangeTrigger(id: string): TriggerError | undefined {
    const trigger = this.triggers.get(id);
    if (!trigger) return 'invalid_trigger_id';
    if (trigger.used) return 'exchanged_trigger_id';
    if (this.clock().getTime() - trigger.createdAt > this.triggerTtlMs) return 'expired_trigger_id';
    trigger.used = true;
    return undefined;
  }

  mintResponseUrl(context: ResponseUrlContext): ResponseUrlRecord {
    this.counter += 1;
    const record: ResponseUrlRecord = {
      id: `${this.counter}${randomBytes(8).toString('hex')}`,
      context,
      createdAt: this.clock().getTime(),
      messages: [],
    };
    this.urls.set(record.id, record);
    return record;
  }

  /** The record for an ID or a full URL ending in `/response/<id>`. */
  responseUrl(urlOrId: string): ResponseUrlRecord | undefined {
    const id = urlOrId.includes('/') ? urlOrId.slice(urlOrId.lastIndexOf('/') + 1) : urlOrId;
    return this.urls.get(id);
  }

  /**
   * Whether the URL still accepts a post. Slack's exact refusal codes are unverified (reference §2);
   * the fake answers 404 with `expired_url` / `used_url` so Bolt's `respond()` rejects.
   */
  responseUrlRefusal(record: ResponseUrlRecord): 'expired_url' | 'used_url' | undefined {
    if (this.clock().getTime() - record.createdAt > RESPONSE_URL_TTL_MS) return 'expired_url';
    if (record.messages.length >= RESPONSE_URL_MAX_USES) return 'used_url';
    return undefined;
  }
}
