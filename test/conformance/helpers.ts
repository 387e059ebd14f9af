// What a person sees, written out literally from AUTOGEN.md, so the suite does not reuse the
// runtime's own formatting to check it.
import {
  AssistantAgent,
  OpenAIModel,
  ScriptedIO,
  startOpenAIServer,
  UserProxyAgent,
  type ConversableAgentOptions,
  type HumanInputMode,
  type InitiateChatOptions,
  type OpenAIServer,
  type ScriptedAnswer,
  type ScriptedReply,
  type TranscriptEntry,
} from './runtime.js';

export const promptA = (name: string, sender: string) =>
  `Replying as ${name}. Provide feedback to ${sender}. Press enter to skip and use auto-reply, or type 'exit' to end the conversation: `;
export const promptL = (sender: string) => `Please give feedback to ${sender}. Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: `;
export const promptS = (sender: string) => `Please give feedback to ${sender}. Press enter or type 'exit' to stop the conversation: `;

const rule = '-'.repeat(80);

/** A delivered message as printed by its recipient. */
type Printed = Extract<TranscriptEntry, { type: 'print' }>;

export const said = (sender: string, recipient: string, content: string): Printed => ({ type: 'print', text: `${sender} (to ${recipient}):\n\n${content}\n\n${rule}` });
/** A question and the answer typed. */
export const ask = (prompt: string, answer: string): TranscriptEntry => ({ type: 'input', prompt, answer });
export const noInput: Printed = { type: 'print', text: '>>>>>>>> NO HUMAN INPUT RECEIVED.' };
export const autoReply: Printed = { type: 'print', text: '>>>>>>>> USING AUTO REPLY...' };
export const note = (text: string): Printed => ({ type: 'print', text });

/** The assistant's messages, user → assistant and back, in order. */
export function exchange(pairs: Array<[string, string]>): TranscriptEntry[] {
  return pairs.map(([from, content]) => (from === 'user' ? said('user', 'assistant', content) : said('assistant', 'user', content)));
}

const servers: OpenAIServer[] = [];

/** Closes every server a test started. */
export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

/** A scripted model served over HTTP and reached with the real `openai` client. */
export async function servedModel(replies: readonly ScriptedReply[]): Promise<{ model: OpenAIModel; server: OpenAIServer }> {
  const server = await startOpenAIServer(replies);
  servers.push(server);
  return { model: new OpenAIModel({ model: 'scripted', baseURL: server.baseURL, apiKey: 'test-key', maxRetries: 0 }), server };
}

export interface TwoAgentSetup {
  mode: HumanInputMode;
  limit?: number;
  replies: readonly ScriptedReply[];
  answers?: readonly ScriptedAnswer[];
  user?: ConversableAgentOptions;
  chat?: InitiateChatOptions;
}

/** `user` (a proxy without code execution) starts a chat with `assistant` (a scripted model): AUTOGEN.md's setting. */
export async function twoAgentChat(setup: TwoAgentSetup) {
  const io = new ScriptedIO(setup.answers ?? []);
  const { model, server } = await servedModel(setup.replies);
  const assistant = new AssistantAgent('assistant', { model, io });
  const user = new UserProxyAgent('user', {
    humanInputMode: setup.mode,
    ...(setup.limit !== undefined ? { maxConsecutiveAutoReply: setup.limit } : {}),
    codeExecutionConfig: false,
    io,
    ...setup.user,
  });
  const result = await user.initiateChat(assistant, { message: 'task', ...setup.chat });
  return { io, result, server, user, assistant };
}

/** The contents of a chat history, in order. */
export const contents = (history: ReadonlyArray<{ content: string | null }>) => history.map((message) => message.content);
