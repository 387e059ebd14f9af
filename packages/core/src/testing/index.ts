// @handrail/core/testing — scripted models, a local OpenAI-compatible server and scripted human
// input, so agents run in tests and demos without keys or network.
export { ScriptedIO } from './scripted-io.js';
export type { ScriptedAnswer, ScriptedIOOptions, TranscriptEntry } from './scripted-io.js';
export { ScriptedModel } from './scripted-model.js';
export type { ScriptedModelOptions } from './scripted-model.js';
export { startScriptedModels } from './local-models.js';
export type { ScriptedModels } from './local-models.js';
export { startOpenAIServer } from './openai-server.js';
export type { OpenAIServer, OpenAIServerOptions, RecordedRequest } from './openai-server.js';
export type { ScriptedReply, ScriptedToolCall } from './script.js';
