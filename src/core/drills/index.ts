/** @module drills Disaster-recovery drills against staging, timed against their targets, with history (DESIGN §13). */
export { DrillRunner, NO_STAGING_DRILL_MESSAGE, type DrillEngine, type DrillPlugin, type DrillPlugins, type DrillRunnerOptions, type StepRecorder } from './run-drill.js';
export { DrillStore } from './drill-store.js';
export { drillReportLines, formatMs, targetText } from './format.js';
export { DRILL_SCENARIOS, type DrillReport, type DrillRequest, type DrillScenario, type DrillStep, type DrillTrigger } from './types.js';
export { RecoveryEstimates, type RecoveryEstimate } from './recovery-estimate.js';
export { rotationDrill, sealDrill, ROTATION_DRILL_PATH, type RotationDrillOptions, type SealDrillOptions, type StagingVault, type WithStaging } from './scenario-plugins.js';
export { scheduledDrillJobs, type ScheduledDrillOptions } from './scheduled-drills.js';
