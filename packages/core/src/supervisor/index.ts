// The supervisor: one step of any loop (docs/supervisor.md).
export { defaultRejectionMessage, rejectionText } from './answer-verdict.js';
export { createSupervisor } from './supervisor.js';
export type { CheckOptions, Supervisor, SupervisorOptions } from './supervisor.js';
export { pendingQuestionFormat } from './verdict.js';
export type { PendingQuestion, RejectMode, Verdict } from './verdict.js';
