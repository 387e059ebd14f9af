// @handrail/adapters — plug a policy into an agent loop. Framework adapters arrive as subpaths
// (`@handrail/adapters/openai`, `/ai-sdk`, `/langchain`, `/openai-agents`); the gate serves loops
// written by hand.
export { createGate } from './gate.js';
export type { Gate, GateOptions, GateVerdict, SuspendingGateOptions } from './gate.js';
