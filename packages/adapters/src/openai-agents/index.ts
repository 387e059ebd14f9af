// @handrail/adapters/openai-agents — a policy in front of the OpenAI Agents SDK: each function tool
// call and the final message are decided by the supervisor; escalations are answered in process
// through Handrail channels, or become the SDK's interruptions, resumed from plain JSON.
export { createAgentsGuard, stopOf } from './guard.js';
export type { AgentsGuard, AgentsGuardOptions, HandrailStop } from './guard.js';
export { noAnswerOutput, pausedRunFormat } from './paused.js';
export type { PausedRun, Resumed } from './paused.js';
