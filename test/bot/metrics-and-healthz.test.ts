/**
 * `/metrics` and `/healthz` on the running bot: every series DESIGN §8 names is exported with
 * values that follow what happened (a backup, a failure, a sealed Vault), and `/healthz` fails
 * when the health scheduler stalls or the database cannot be written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORTED_SERIES } from '../../src/metrics/series.js';
import { startBotHarness, type BotHarness } from './bot-harness.js';

describe('/metrics and /healthz', () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const get = async (bot: BotHarness, path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`http://127.0.0.1:${bot.bot.port}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const value = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(`${series}{`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  it('exports every DESIGN §8 series, following a backup, a failed backup and a sealed Vault', async () => {
    const bot = (h = await startBotHarness());
    const ok = await bot.bot.backups.backup('daily', 'system');
    expect(ok.ok).toBe(true);
    bot.vault.faults = { failPaths: { 'sys/storage/raft/snapshot': { status: 500, message: 'boom' } } };
    await bot.bot.backups.backup('manual', 'system');
    bot.vault.faults = {};
    bot.vault.state.sealed = true;
    bot.clock.advance(60_000);
    await bot.bot.health.tick();

    const { status, text } = await get(bot, '/metrics');
    expect(status).toBe(200);
    for (const series of EXPORTED_SERIES.filter((s) => s !== 'vault_chatops_restore_test_success' && s !== 'vault_chatops_recovery_seconds')) {
      expect(text, series).toContain(`# TYPE ${series} `);
      expect(text, series).toMatch(new RegExp(`^${series}(_bucket|_count)?[{ ]`, 'm'));
    }
    expect(text).toContain('# TYPE vault_chatops_restore_test_success gauge');
    expect(value(text, 'vault_chatops_last_backup_success_timestamp_seconds')).toBeCloseTo(bot.clock.now().getTime() / 1000, -3);
    expect(text).toMatch(/^vault_chatops_backup_failures_total\{kind="manual",step="snapshot"\} 1$/m);
    expect(text).toMatch(/^vault_chatops_backup_size_bytes\{kind="daily"\} \d{4,}$/m);
    expect(text).toMatch(/^vault_chatops_health_check_up\{check="sealed"\} 0$/m);
    expect(text).toMatch(/^vault_chatops_health_check_up\{check="reachable"\} 1$/m);
    expect(text).toMatch(/^vault_chatops_alerts_firing\{severity="critical"\} 2$/m);
    expect(text).toMatch(/^vault_chatops_alerts_firing\{severity="medium"\} 0$/m);
  });

  it('/healthz fails when no health round has finished for 10 minutes, and recovers after one', async () => {
    const bot = (h = await startBotHarness({ launch: { schedule: true } }));
    await bot.bot.health.tick();
    expect((await get(bot, '/healthz')).status).toBe(200);
    bot.clock.advance(11 * 60_000);
    const stalled = await get(bot, '/healthz');
    expect(stalled.status).toBe(503);
    expect(JSON.parse(stalled.text)).toMatchObject({ ok: false, db: 'ok', scheduler: 'no health round has finished for 11 min' });
    await bot.bot.health.tick();
    expect((await get(bot, '/healthz')).status).toBe(200);
  });

  it('a quarter-hourly HEALTH_CRON is not called stalled between its rounds', async () => {
    const bot = (h = await startBotHarness({ env: { HEALTH_CRON: '*/15 * * * *' }, launch: { schedule: true } }));
    await bot.bot.health.tick();
    bot.clock.advance(20 * 60_000);
    expect((await get(bot, '/healthz')).status).toBe(200);
    bot.clock.advance(30 * 60_000);
    expect(JSON.parse((await get(bot, '/healthz')).text)).toMatchObject({ ok: false, scheduler: 'no health round has finished for 50 min' });
  });

  it('/healthz fails when the database cannot be written', async () => {
    const bot = (h = await startBotHarness());
    expect((await get(bot, '/healthz')).status).toBe(200);
    bot.db.pragma('query_only = ON');
    const res = await get(bot, '/healthz');
    bot.db.pragma('query_only = OFF');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ ok: false, db: 'unavailable' });
  });
});
