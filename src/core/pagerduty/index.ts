/** @module pagerduty PagerDuty Events API v2: the alert pager and change events (DESIGN §8). */
export { PagerDutyClient, type PagerDutyClientOptions, type AlertEventBody, type ChangeEventBody } from './events-client.js';
export { PagerDutyAlertPager, clusterOf, dedupKey } from './alert-pager.js';
export { changeEvents, type ChangeEvent, type ChangeEventRecorder } from './change-events.js';
