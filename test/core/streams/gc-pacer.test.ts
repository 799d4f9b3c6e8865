import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';

import { GC_EVERY_BYTES, pacedCollect } from '../../../src/core/streams/gc-pacer.js';

/** Full (mark-compact) collections seen while `fn` runs. */
async function majorCollectionsDuring(fn: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry.detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count += 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  fn();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return count;
}

describe('gc pacer', () => {
  it('runs a full collection for every GC_EVERY_BYTES piped, and none in between', async () => {
    pacedCollect(GC_EVERY_BYTES); // settles the counter at zero, whatever ran before
    const quiet = await majorCollectionsDuring(() => pacedCollect(GC_EVERY_BYTES - 1));
    const paced = await majorCollectionsDuring(() => {
      pacedCollect(1);
      for (let i = 0; i < 3; i += 1) pacedCollect(GC_EVERY_BYTES);
    });
    expect(quiet).toBe(0);
    expect(paced).toBeGreaterThanOrEqual(4);
  });
});
