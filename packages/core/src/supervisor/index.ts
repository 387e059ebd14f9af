// The supervisor: one step of any loop (docs/supervisor.md).
export { defaultMessageRejectionMessage, defaultRejectionMessage, rejectionText } from './answer-verdict.js';
export { createSupervisor } from './supervisor.js';
export type { CheckOptions, Supervisor, SupervisorOptions } from './supervisor.js';
export { pendingQuestionFormat } from './verdict.js';
export type { PendingQuestion, RejectMode, SettledVerdict, Verdict } from './verdict.js';
