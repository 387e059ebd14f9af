// @handrail/adapters/ai-sdk — a policy in front of the Vercel AI SDK's loop (generateText and
// streamText): tool calls decided in needsApproval and enforced in execute, steps' text decided
// in stopWhen, questions that wait surfaced as the SDK's tool-approval-request.
export { createAiSdkGuard } from './guard.js';
export type { AiSdkGuard, AiSdkGuardOptions, AnswerOutcome } from './guard.js';
export { pausedFormat } from './paused.js';
export type { PausedStep } from './paused.js';
