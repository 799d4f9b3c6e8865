/**
 * @module bench/ack-latency
 * How fast the bot acknowledges slash commands (Slack gives 3 s; target p99 < 100 ms): the real
 * Bolt HTTP receiver against the fake Slack and the Vault test server, 50 concurrent signed
 * `/vault help` and then 50 `/vault status` commands, timed from request to HTTP 200.
 * Bolt answers at `ack()` (processBeforeResponse false, as in production), so this is the ack.
 *
 *   node --import tsx bench/ack-latency.ts [concurrency]
 */
import { startBotHarness } from '../test/bot/bot-harness.js';

const concurrency = Number(process.argv[2] ?? 50);

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const h = await startBotHarness({ launch: { processBeforeResponse: false }, logLevel: 'info' });
  try {
    const users = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
    // Warm-up: JIT, sockets, SQLite statements.
    await Promise.all(users.map((userId) => h.slack.command({ userId, text: 'help' })));
    for (const text of ['help', 'status']) {
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) => h.slack.command({ userId: users[i % users.length] ?? 'U0ALICE', text })),
      );
      const failed = results.filter((r) => r.status !== 200 || r.timedOut).length;
      const ms = results.map((r) => r.elapsedMs).sort((a, b) => a - b);
      console.log(
        `/vault ${text.padEnd(6)} ${concurrency} concurrent: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${(ms.at(-1) ?? 0).toFixed(1)} ms, failed ${failed}`,
      );
      // Let the answers (respond()) land before the next round, so rounds do not overlap.
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await h.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
