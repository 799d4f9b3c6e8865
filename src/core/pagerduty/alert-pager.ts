/**
 * @module pagerduty/alert-pager
 * The alert engine's pager on PagerDuty: `trigger` when a critical alert fires, `acknowledge`
 * when someone acknowledges it in Slack, `resolve` when it clears — all with one `dedup_key`
 * derived from the cluster and the alert key, so PagerDuty sees one incident per alert. The
 * payload carries only what the alert shows in Slack: never a token or a secret.
 */
import type { AlertPager, AlertView } from '../alerts/types.js';
import type { PagerDutyClient } from './events-client.js';

export interface PagerDutyAlertPagerOptions {
  client: Pick<PagerDutyClient, 'sendAlert'>;
  /** Names the cluster in the dedup key and as the event source, e.g. the Vault host. */
  cluster: string;
}

const SUMMARY_MAX = 1024;

export class PagerDutyAlertPager implements AlertPager {
  constructor(private readonly o: PagerDutyAlertPagerOptions) {}

  trigger(alert: AlertView): Promise<boolean> {
    const summary = `${alert.title} on ${this.o.cluster}: ${alert.detail}`;
    return this.o.client.sendAlert({
      event_action: 'trigger',
      dedup_key: dedupKey(this.o.cluster, alert),
      payload: {
        summary: summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary,
        source: this.o.cluster,
        severity: alert.severity === 'critical' ? 'critical' : alert.severity === 'high' ? 'error' : 'warning',
        timestamp: alert.firedAt.toISOString(),
        component: 'vault',
        group: this.o.cluster,
        class: alert.key,
        custom_details: { alert_key: alert.key, ...(alert.scope ? { scope: alert.scope } : {}), severity: alert.severity, detail: alert.detail, alert_id: alert.id },
      },
    });
  }

  acknowledge(alert: AlertView): Promise<boolean> {
    return this.o.client.sendAlert({ event_action: 'acknowledge', dedup_key: dedupKey(this.o.cluster, alert) });
  }

  resolve(alert: AlertView): Promise<boolean> {
    return this.o.client.sendAlert({ event_action: 'resolve', dedup_key: dedupKey(this.o.cluster, alert) });
  }
}

/** `vault-chatops/<cluster>/<key>[/<scope>]`, at most 255 characters (PagerDuty's limit). */
export function dedupKey(cluster: string, alert: Pick<AlertView, 'key' | 'scope'>): string {
  return `vault-chatops/${cluster}/${alert.key}${alert.scope ? `/${alert.scope}` : ''}`.slice(0, 255);
}

/** The cluster name used in dedup keys: the Vault address's host and port. */
export function clusterOf(vaultAddr: string): string {
  try {
    return new URL(vaultAddr).host;
  } catch {
    return vaultAddr;
  }
}
