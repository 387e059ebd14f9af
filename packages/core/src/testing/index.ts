// @handrail/core/testing — scripted models, a local OpenAI-compatible server, scripted human
// input, and stand-ins for a webhook target and Slack, so agents run in tests and demos without
// keys or network.
export { ScriptedIO } from './scripted-io.js';
export type { ScriptedAnswer, ScriptedIOOptions, TranscriptEntry } from './scripted-io.js';
export { ScriptedModel } from './scripted-model.js';
export type { ScriptedModelOptions } from './scripted-model.js';
export { startScriptedModels } from './local-models.js';
export type { ScriptedModels } from './local-models.js';
export { startOpenAIServer } from './openai-server.js';
export type { OpenAIServer, OpenAIServerOptions, RecordedRequest } from './openai-server.js';
export type { ScriptedReply, ScriptedToolCall } from './script.js';
export { Inbox } from './inbox.js';
export { startSlackStandIn } from './slack-stand-in.js';
export type { SlackPost, SlackStandIn, SlackStandInOptions } from './slack-stand-in.js';
export { startWebhookReceiver } from './webhook-receiver.js';
export type { AnswerResponse, RefusedDelivery, WebhookReceiver, WebhookReceiverOptions } from './webhook-receiver.js';
