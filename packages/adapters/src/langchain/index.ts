// @handrail/adapters/langchain — a policy in front of a LangChain.js `createAgent` (LangGraph)
// agent: a middleware that decides every model message and tool call, pausing the graph with
// LangGraph's interrupt (or asking through Handrail channels) when the policy escalates.
export { handrailMiddleware } from './middleware.js';
export type { HandrailMiddlewareOptions } from './middleware.js';
export { pendingQuestions } from './questions.js';
export type { InterruptedQuestion } from './questions.js';
export type { HandrailState, HandrailUpdate, StopRecord } from './state.js';
