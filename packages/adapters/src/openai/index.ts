// @handrail/adapters/openai — gate the `openai` SDK's tool-calling loops (Chat Completions and
// the Responses API) with a policy: each tool call and each final message is decided before the
// loop acts on it.
export { gateChatCompletion } from './chat.js';
export type { ChatStep, GateStepOptions, SuspendableChatStep } from './chat.js';
export { gateResponse } from './responses.js';
export type { ResponseStep, SuspendableResponseStep } from './responses.js';
export type { GatedToolCall, ToolFunctions } from './tool-calls.js';
