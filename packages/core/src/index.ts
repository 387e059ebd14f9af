// @handrail/core — the agent runtime: AutoGen-style agents whose human input modes are policies.
export type { Agent, ReplyResult, SendOptions } from './agents/agent.js';
export { AssistantAgent, assistantDescription, assistantSystemMessage } from './agents/assistant-agent.js';
export { ConversableAgent, defaultMaxConsecutiveAutoReply, registerFunction } from './agents/conversable-agent.js';
export type { ChatResult, ConversableAgentOptions, InitiateChatOptions } from './agents/conversable-agent.js';
export { defaultPrompt, fillPrompt, noHumanInputNote, usingAutoReplyNote } from './agents/human-reply.js';
export type { HumanInputMode } from './agents/human-reply.js';
export type { ToolFunction } from './agents/tool-calls.js';
export { UserProxyAgent, userProxyDescriptions } from './agents/user-proxy-agent.js';
export { answerAuditEntry, decisionAuditEntry } from './audit/audit-entries.js';
export type { AuditContext } from './audit/audit-entries.js';
export { AuditLog, AuditLogError } from './audit/audit-log.js';
export type { AuditLogOptions } from './audit/audit-log.js';
export { answerKinds, answerText, completeAnswer, maxAnswerDepth, maxArgumentsLength, parseApprovalAnswer, sameAnswer, timeoutAnswer } from './channels/answers.js';
export type { AnswerKind, ApprovalAnswerInput } from './channels/answers.js';
export { rejectEffect } from './channels/approval.js';
export type { ApprovalAnswer, ApprovalChannel, ApprovalRequest, ApprovalTool } from './channels/approval.js';
export { ApprovalServer, startApprovalServer } from './channels/approval-server.js';
export type { ApprovalServerOptions } from './channels/approval-server.js';
export { callbackChannel } from './channels/callback-channel.js';
export type { ApprovalCallback } from './channels/callback-channel.js';
export { ChannelError } from './channels/channel-error.js';
export { consoleChannel, consoleChannelHint, describeRequest } from './channels/console-channel.js';
export type { ConsoleChannelOptions } from './channels/console-channel.js';
export type { Listening } from './channels/http.js';
export { ladder } from './channels/ladder.js';
export type { LadderEvent, LadderOptions, LadderStep } from './channels/ladder.js';
export type { AnswerOutcome } from './channels/pending-approvals.js';
export { ScriptedChannel } from './channels/scripted-channel.js';
export type { ScriptedApproval, ScriptedChannelOptions } from './channels/scripted-channel.js';
export {
  defaultToleranceMs,
  signatureHeader,
  signedHeaders,
  signSlack,
  signWebhook,
  slackSignatureHeader,
  slackTimestampHeader,
  timestampHeader,
  verifySlack,
  verifyWebhook,
} from './channels/signing.js';
export type { Secrets, SignatureCheck, SignatureFailure, SignedRequest, VerifyOptions } from './channels/signing.js';
export { SlackChannel, slackApproveAction, slackMessage, slackRejectAction, slackText } from './channels/slack-channel.js';
export type { SlackChannelOptions } from './channels/slack-channel.js';
export { askWithTimeout, withTimeout } from './channels/timeout.js';
export type { AskOptions } from './channels/timeout.js';
export { WebhookChannel } from './channels/webhook-channel.js';
export type { WebhookAnswer, WebhookChannelOptions, WebhookQuestion } from './channels/webhook-channel.js';
export { CodeExecutionError, executeCodeBlock, inferLanguage, languageOf } from './code/execute.js';
export type { CodeExecutionConfig, CodeResult } from './code/execute.js';
export { answerApproval } from './durable/answer-approval.js';
export { DurableRun } from './durable/durable-run.js';
export type {
  ApprovalRequestInput,
  AwaitApprovalOptions,
  DurableRunOptions,
  DurableRunStatus,
  InterruptedStep,
  RunDecideOptions,
  StepOptions,
  StepResolution,
} from './durable/durable-run.js';
export { DurableRunError } from './durable/durable-run-error.js';
export { claimResume } from './durable/resume-claim.js';
export type { DurableRunErrorCode } from './durable/durable-run-error.js';
export { FileRunStore } from './durable/file-run-store.js';
export type { FileRunStoreOptions } from './durable/file-run-store.js';
export { journalFormat } from './durable/journal-record.js';
export type { JournalEntry, JournalRecord, RecordedError, SerializedRun, StepKind } from './durable/journal-record.js';
export { DamagedFileError, WriteFailedError } from './durable/json-lines-file.js';
export { MemoryRunStore } from './durable/memory-run-store.js';
export type { RunJournal, RunStore, StoredAnswer } from './durable/run-store.js';
export type { AutoReplySource, ChatEnd, EndCause, EventListener, HandrailEvent } from './events.js';
export { GroupChat, selectSpeakerMessageTemplate, selectSpeakerPromptTemplate } from './group/group-chat.js';
export type { GroupChatOptions, SpeakerSelectionMethod, SpeakerSelector } from './group/group-chat.js';
export { GroupChatManager } from './group/group-chat-manager.js';
export type { GroupChatManagerOptions } from './group/group-chat-manager.js';
export { manualSelectionPrompt } from './group/select-speaker.js';
export { callbackIO } from './io/callback-io.js';
export type { GetHumanInput } from './io/callback-io.js';
export { ConsoleIO } from './io/console-io.js';
export type { ConsoleIOOptions } from './io/console-io.js';
export { getDefaultIO, runWithIO, setDefaultIO } from './io/io.js';
export type { HumanIO, InputOptions } from './io/io.js';
export { asStored, contentText, toMessage, toModelMessages } from './messages.js';
export type { Message, MessageInput, ModelMessage, ToolCallPart, ToolResponse } from './messages.js';
export type { Model, ModelRequest, ModelResponse, ToolDefinition, Usage } from './models/model.js';
export { OpenAIModel, openAIModelFromEnv } from './models/openai-model.js';
export type { ChatCompletionsClient, OpenAIModelOptions } from './models/openai-model.js';
export { describeDecision, showDecisions } from './show-decisions.js';
export { createSupervisor, defaultMessageRejectionMessage, defaultRejectionMessage, pendingQuestionFormat, rejectionText } from './supervisor/index.js';
export type { CheckOptions, PendingQuestion, RejectMode, SettledVerdict, Supervisor, SupervisorOptions, Verdict } from './supervisor/index.js';
