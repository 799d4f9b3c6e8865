/**
 * The Grafana dashboard and the Prometheus rules shipped in deploy/: both parse, every query and
 * every rule names only series the bot exports (src/metrics/series.ts, which the metrics test
 * checks against a live /metrics), and together they cover what DESIGN §8 asks for.
 * promtool is not available, so expressions are checked with a PromQL-lite tokenizer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { register } from 'prom-client';
import { EXPORTED_SERIES, SERIES } from '../../src/metrics/series.js';
import { parse as parseYaml } from 'yaml';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

/** PromQL functions, aggregations and keywords the files may use. */
const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'by', 'without', 'rate', 'increase', 'irate', 'time', 'absent', 'absent_over_time',
  'histogram_quantile', 'max_over_time', 'min_over_time', 'avg_over_time', 'changes', 'resets', 'and', 'or', 'unless', 'on',
  'ignoring', 'bool', 'offset', 'clamp_min', 'clamp_max', 'vector', 'scalar', 'topk', 'bottomk',
]);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The metric names an expression reads (strings, label matchers and ranges removed). */
function seriesIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').replace(/\bby\s*\([^)]*\)/g, '');
  const words = bare.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
  return words.filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w) && !/^(e|Inf|NaN|s|m|h|d)$/.test(w));
}

function exported(name: string): boolean {
  if (EXPORTED_SERIES.includes(name)) return true;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s));
  return suffix !== undefined && EXPORTED_SERIES.includes(name.slice(0, -suffix.length));
}

interface Rule { alert: string; expr: string; for?: string; labels: { severity: string }; annotations: { summary: string; description?: string } }

describe('deploy/prometheus/vault-chatops-rules.yml', () => {
  const doc = parseYaml(read('deploy/prometheus/vault-chatops-rules.yml')) as unknown as { groups: Array<{ name: string; rules: Rule[] }> };
  const rules = doc.groups.flatMap((g) => g.rules);

  it('is one group of well-formed alert rules', () => {
    expect(doc.groups.map((g) => g.name)).toEqual(['vault-chatops']);
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(['critical', 'high', 'medium']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      expect((r.expr.match(/\(/g) ?? []).length).toBe((r.expr.match(/\)/g) ?? []).length);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('reads only series the bot exports, and every rule reads one', () => {
    for (const r of rules) {
      const names = seriesIn(r.expr);
      expect(names.length, r.expr).toBeGreaterThan(0);
      expect(names.filter((n) => !exported(n)), r.expr).toEqual([]);
    }
  });

  it('notices the bot itself no longer reporting, and a stalled scheduler', () => {
    expect(rules.find((r) => r.alert === 'VaultChatopsNotReporting')?.expr).toMatch(/^absent\(vault_chatops_/);
    expect(rules.some((r) => r.expr.includes('vault_chatops_health_round_timestamp_seconds'))).toBe(true);
  });

  it('a scheduler that never finished a round fires too: the stalled rule also fires when the gauge is absent', () => {
    expect(rules.find((r) => r.alert === 'VaultChatopsHealthRoundsStalled')?.expr).toContain('absent(vault_chatops_health_round_timestamp_seconds)');
  });

  it('the first backup failure is an increase: every kind×step failure series is exported at 0 from start-up', async () => {
    const text = await register.getSingleMetricAsString(SERIES.backupFailures);
    expect(rules.find((r) => r.alert === 'VaultBackupFailed')?.expr).toContain('increase(vault_chatops_backup_failures_total');
    for (const kind of ['daily', 'monthly', 'manual', 'pre-restore']) {
      for (const step of ['snapshot', 'upload', 'verify']) expect(text).toMatch(new RegExp(`vault_chatops_backup_failures_total\\{kind="${kind}",step="${step}"\\} 0$`, 'm'));
    }
  });

  it('the tokenizer catches a series the bot does not export', () => {
    expect(seriesIn('sum by (job) (rate(up{job="x"}[5m])) > 0').filter((n) => !exported(n))).toEqual(['up']);
  });
});

describe('deploy/grafana/vault-chatops.json', () => {
  const dash = JSON.parse(read('deploy/grafana/vault-chatops.json')) as {
    uid: string; title: string; panels: Array<{ id: number; title: string; type: string; gridPos: object; targets: Array<{ expr: string; refId: string }> }>;
  };
  const exprs = dash.panels.flatMap((p) => p.targets.map((t) => t.expr));

  it('is an importable dashboard: unique panel ids, each with a position and queries', () => {
    expect(dash.uid).toBe('vault-chatops');
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    for (const p of dash.panels) {
      expect(p.gridPos, p.title).toBeDefined();
      expect(p.targets.length, p.title).toBeGreaterThan(0);
    }
  });

  it('queries only series the bot exports', () => {
    for (const e of exprs) {
      const names = seriesIn(e);
      expect(names.length, e).toBeGreaterThan(0);
      expect(names.filter((n) => !exported(n)), e).toEqual([]);
    }
  });

  it('covers backup age, size and duration, failures, recovery times, alerts firing and checks', () => {
    const all = exprs.join('\n');
    for (const series of [
      'vault_chatops_last_backup_success_timestamp_seconds', 'vault_chatops_backup_size_bytes', 'vault_chatops_backup_duration_seconds',
      'vault_chatops_backup_failures_total', 'vault_chatops_recovery_seconds', 'vault_chatops_alerts_firing', 'vault_chatops_health_check_up',
    ]) {
      expect(all, series).toContain(series);
    }
  });
});
