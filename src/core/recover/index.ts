/** @module recover Recovering one secret, or every secret under a path, from a backup into production (DESIGN §12). */
export { planRecovery, describeRecovery, NO_STAGING_MESSAGE, RECOVER_FORM, type RecoverParams, type RecoverPlanningDeps, type RecoverPlanningVault } from './plan-recovery.js';
export { executeRecovery, type PathOutcome, type RecoverDeps, type RecoverDestination, type RecoverSource, type RecoveryReport } from './execute-recovery.js';
