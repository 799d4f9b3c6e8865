/**
 * @module faults Per-method injected failures (`failNext`). A fault is consumed by the next call(s)
 * to its method, before authentication, and is turned into the exact answer Slack gives:
 * 429 + integer `Retry-After` + `{"ok":false,"error":"ratelimited"}` for rate limits, HTTP 200
 * `ok:false` for platform errors, or another status (5xx) to exercise the client's retries.
 */
import type { FaultSpec } from './types.js';

/** The HTTP answer a fault produces. */
export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export class FaultTable {
  private readonly pending = new Map<string, Array<Required<Pick<FaultSpec, 'times'>> & FaultSpec>>();

  add(method: string, fault: FaultSpec): void {
    if (fault.error === undefined && fault.status !== 429) {
      throw new Error(`failNext('${method}'): give an error code (e.g. 'channel_not_found') or status 429`);
    }
    if (fault.retryAfter !== undefined && !Number.isInteger(fault.retryAfter)) {
      // Slack sends whole seconds; the client would treat anything else as "no valid timeout".
      throw new Error(`failNext('${method}'): retryAfter must be an integer number of seconds`);
    }
    const queue = this.pending.get(method) ?? [];
    queue.push({ ...fault, times: fault.times ?? 1 });
    this.pending.set(method, queue);
  }

  clear(): void {
    this.pending.clear();
  }

  /** Consumes one use of the method's first pending fault, if any. */
  take(method: string): FaultAnswer | undefined {
    const queue = this.pending.get(method);
    const fault = queue?.[0];
    if (!queue || !fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) queue.shift();
    const error = fault.error ?? 'ratelimited';
    const status = fault.status ?? (error === 'ratelimited' ? 429 : 200);
    const headers: Record<string, string> = {};
    if (status === 429) headers['retry-after'] = String(fault.retryAfter ?? 1);
    return { status, headers, body: { ok: false, error, ...fault.extra } };
  }
}
