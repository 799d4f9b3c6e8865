/**
 * @module handlers/ack-first
 * Acks first. Call right after `ack()`: it gives the event loop back for one turn, so that in a
 * burst the requests already waiting are parsed and acknowledged before this one's work (core
 * calls, Slack calls) runs. Slack's 3 s deadline applies to the ack, not to the answer.
 * Measured with bench/ack-latency.ts: 50 concurrent commands, in-bot p50 1.4 ms → 0.3 ms.
 */
export function yieldAfterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
