/** @module approvals The two-person-rule approval engine: public surface for handlers and the bot. */
export { ApprovalEngine, type ApprovalEngineOptions } from './engine.js';
export { ACTION_POLICY, policyFor } from './policy.js';
export { approvalsSummary, commandRefusalMessage, headlineFor, refusalMessage } from './messages.js';
export { droppedReasonText } from './recheck.js';
export { canTransition, isFinal, REQUEST_STATES } from './state-machine.js';
export type * from './types.js';
