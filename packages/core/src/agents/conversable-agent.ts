// AutoGen's ConversableAgent: conversations kept per partner, counters of consecutive
// auto-replies per sender, the policy check before each reply, then the auto-reply chain
// (policy's fixed reply → tool calls → code blocks → model → defaultAutoReply).
import { randomUUID } from 'node:crypto';
import { ConfigurationError, findCodeBlocks, presetPolicy, type DecideOptions, type FactProvider, type Policy } from '@handrail/policy';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApprovalChannel } from '../channels/approval.js';
import { CodeExecutionError, codeTimeoutMs, executeCodeBlock, languageOf, type CodeExecutionConfig } from '../code/execute.js';
import { askInRun, chatRun, stepInRun } from '../durable/agent-run.js';
import type { DurableRun } from '../durable/durable-run.js';
import { EventEmitter, type AutoReplySource, type ChatEnd, type EventListener, type HandrailEvent } from '../events.js';
import type { GetHumanInput } from '../io/callback-io.js';
import { getDefaultIO, type HumanIO, type InputOptions } from '../io/io.js';
import { asStored, contentText, toMessage, toModelMessages, type Message, type MessageInput, type ToolResponse } from '../messages.js';
import type { Model, ToolDefinition, Usage } from '../models/model.js';
import type { Agent, ReplyResult, SendOptions } from './agent.js';
import { createSupervisor, rejectModeOf, type Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import type { Verdict } from '../supervisor/verdict.js';
import { checkHumanReply, defaultPrompt, typedChannel, type HumanInputMode, type HumanReplyHost } from './human-reply.js';
import { formatReceivedMessage, isEmptyMessage } from './print-message.js';
import { executeToolCall, toolReply, type ToolFunction } from './tool-calls.js';

/** AutoGen's default limit of consecutive auto-replies to one sender. */
export const defaultMaxConsecutiveAutoReply = 100;

/**
 * The options of every agent, with AutoGen's names in camel case.
 *
 * @example
 * const options: ConversableAgentOptions = { humanInputMode: 'TERMINATE', maxConsecutiveAutoReply: 5 };
 */
export interface ConversableAgentOptions {
  systemMessage?: string | null;
  /** How other agents (and a group chat's speaker selection) see this one; the system message by default. */
  description?: string;
  /** Shorthand for the preset policy of that name; ignored for deciding when `policy` is given. */
  humanInputMode?: HumanInputMode;
  /** Any compiled policy; every human-input decision of this agent is taken by it. */
  policy?: Policy;
  /** The limit of consecutive auto-replies to each sender; the policy's `max auto_replies` or 100 by default. */
  maxConsecutiveAutoReply?: number;
  /** Whether a received message ends the conversation; by default its content is exactly `TERMINATE`. */
  isTerminationMsg?: (message: Message) => boolean;
  /** Sent when nothing else replies; the empty string by default, and sent even then. */
  defaultAutoReply?: MessageInput;
  /** How received code blocks run, or false to not run them. */
  codeExecutionConfig?: CodeExecutionConfig | false;
  /** The model that writes this agent's replies (AutoGen's llm_config). */
  model?: Model;
  /** Functions the model may call. */
  tools?: ToolDefinition[];
  /** Functions this agent runs when a message asks for them. */
  functionMap?: Record<string, ToolFunction>;
  /** Where this agent prints and asks; the process default (console) otherwise. */
  io?: HumanIO;
  /**
   * Leave out received messages with nothing to show (an empty auto-reply: no text, no tool
   * calls, no tool results). AutoGen prints them as an empty block, and so does this agent by default.
   */
  hideEmptyMessages?: boolean;
  /** Answers questions instead of `io.input` (sync or async). */
  getHumanInput?: GetHumanInput;
  /**
   * Named human channels an escalation can pick with `via <name>`: an io (asked with the prompt,
   * as the console) or an approval channel (asked with the whole request: webhook, Slack, web page…).
   */
  channels?: Record<string, HumanIO | ApprovalChannel>;
  /**
   * Where escalations that name no channel go; without it they go to the io (or `getHumanInput`).
   * Answers (docs/supervisor.md): reply → the reply; approve → go on as `continue` (tool calls
   * run); edit → the policy decides the edited call again, and it runs with the new arguments if
   * it passes; reject → per `onReject`; timeout → `onNoInput`.
   */
  approvalChannel?: ApprovalChannel;
  /**
   * What a person's reject does: `end` (the default here: the chat ends, `rejected`) or `refuse`
   * (the refusal goes to the sender, the chat goes on), for the agent or per rule. Typed `exit`
   * always ends the chat, as in AutoGen.
   */
  onReject?: SupervisorOptions['onReject'];
  /** The text a refusal gives the sender (`onReject: 'refuse'`); see `defaultRejectionMessage`. */
  rejectionMessage?: string;
  /** Decide and record, never enforce: the agent auto-replies whatever the policy says. */
  shadow?: boolean;
  /** The run id in approval requests; by default a random one per conversation. */
  runId?: string;
  /** Values of the custom facts the policy declares. */
  facts?: Record<string, FactProvider>;
  /** Options of each decision, e.g. `{ engine: 'reference' }` to decide with json-rules-engine itself. */
  decideOptions?: Omit<DecideOptions, 'facts' | 'humanAvailable'>;
  /** Observes this agent's events. */
  onEvent?: EventListener;
}

/**
 * @example
 * await user.initiateChat(assistant, { message: 'Plot data.csv', maxTurns: 3 });
 */
export interface InitiateChatOptions {
  /** The first message; when missing, the person is asked for it with the prompt `>`. */
  message?: MessageInput;
  /** Stop after this many exchanges (a message and its reply). */
  maxTurns?: number;
  /** Forget earlier messages with the recipient (default true). */
  clearHistory?: boolean;
  /** Deliver without printing. */
  silent?: boolean;
  /**
   * Runs the chat as this durable run: model replies, decisions, questions, answers, tool calls
   * and code runs are journaled, and a restored run replays them (see docs/durability.md).
   * Two-agent chats only.
   */
  durable?: DurableRun;
  /**
   * `in-process` (default) waits for each answer; `suspend` (needs `durable`) ends the chat when a
   * person is asked, with cause `suspended` and the question as plain JSON in `ended.pending`;
   * the process may exit. To go on once the answer is in the store, restore the run and start
   * the same chat again: it replays to the question and takes the answer (docs/supervisor.md).
   */
  wait?: 'in-process' | 'suspend';
  /** Audits every decision and answer of the chat; with `durable`, give the log to the run instead. */
  audit?: AuditLog;
}

/**
 * What a chat produced.
 *
 * @example
 * const result = await user.initiateChat(assistant, { message: 'task' });
 * console.log(result.chatHistory.length, result.humanInputs, result.ended.cause);
 */
export interface ChatResult {
  /** The conversation, as the initiator holds it. */
  chatHistory: Message[];
  /** The content of the last message. */
  summary: string;
  /** Every answer people gave during the chat, in order. */
  humanInputs: string[];
  ended: ChatEnd;
  /** Every event of the chat, in order. */
  events: HandrailEvent[];
  /** Tokens used by the models of both agents during the chat. */
  usage: Usage;
}

const emptyUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

const defaultIsTermination = (message: Message): boolean => contentText(message) === 'TERMINATE';

/**
 * An agent that converses: the base of UserProxyAgent, AssistantAgent and GroupChatManager.
 *
 * @example
 * const agent = new ConversableAgent('reviewer', { model, humanInputMode: 'TERMINATE', maxConsecutiveAutoReply: 3 });
 * const result = await agent.initiateChat(other, { message: 'Review this invoice.' });
 */
export class ConversableAgent implements Agent {
  readonly name: string;
  readonly description: string;
  readonly systemMessage: string | null;
  readonly humanInputMode: HumanInputMode;
  readonly policy: Policy;
  model: Model | undefined;
  tools: ToolDefinition[];
  codeExecutionConfig: CodeExecutionConfig | false;
  readonly usage: Usage = emptyUsage();
  protected defaultAutoReply: MessageInput;
  protected readonly events = new EventEmitter();
  readonly #isTermination: (message: Message) => boolean;
  readonly #functions = new Map<string, ToolFunction>();
  readonly #conversations = new Map<Agent, Message[]>();
  readonly #autoReplies = new Map<Agent, number>();
  readonly #limits = new Map<Agent, number>();
  #defaultLimit: number;
  readonly #replyAtReceive = new Map<Agent, boolean>();
  readonly #startedAt = new Map<Agent, number>();
  readonly #io: HumanIO | undefined;
  readonly #hideEmptyMessages: boolean;
  readonly #getHumanInput: GetHumanInput | undefined;
  readonly #channels: Record<string, HumanIO | ApprovalChannel>;
  readonly #approvalChannel: ApprovalChannel | undefined;
  readonly #runId: string | undefined;
  #run: DurableRun | undefined;
  /** Whether the chat of `#run` suspends rather than waits for answers. */
  #suspends = false;
  readonly #facts: Record<string, FactProvider> | undefined;
  readonly #decideOptions: Omit<DecideOptions, 'facts' | 'humanAvailable'>;
  readonly #supervision: Pick<ConversableAgentOptions, 'onReject' | 'rejectionMessage' | 'shadow'>;
  /** One supervisor per run, else per conversation partner. */
  #supervisors = new WeakMap<object, Supervisor<Verdict>>();
  readonly #host: HumanReplyHost;

  constructor(name: string, options: ConversableAgentOptions = {}, defaults: { humanInputMode?: HumanInputMode; systemMessage?: string | null; codeExecutionConfig?: CodeExecutionConfig | false; description?: string } = {}) {
    if (typeof name !== 'string' || name === '') throw new ConfigurationError('an agent needs a name');
    this.name = name;
    this.systemMessage = options.systemMessage !== undefined ? options.systemMessage : (defaults.systemMessage ?? 'You are a helpful AI Assistant.');
    const policyMode = options.policy?.mode?.toUpperCase();
    this.humanInputMode = options.humanInputMode ?? (isMode(policyMode) ? policyMode : (defaults.humanInputMode ?? 'TERMINATE'));
    if (!isMode(this.humanInputMode)) throw new ConfigurationError(`humanInputMode must be ALWAYS, NEVER or TERMINATE, not ${JSON.stringify(this.humanInputMode)}`);
    this.policy = options.policy ?? presetPolicy(this.humanInputMode.toLowerCase() as 'always' | 'never' | 'terminate');
    this.description = options.description ?? defaults.description ?? this.systemMessage ?? '';
    const limit = options.maxConsecutiveAutoReply ?? this.policy.document.maxAutoReplies ?? defaultMaxConsecutiveAutoReply;
    this.#defaultLimit = checkLimit(limit);
    this.#isTermination = options.isTerminationMsg ?? defaultIsTermination;
    this.defaultAutoReply = options.defaultAutoReply ?? '';
    this.codeExecutionConfig = options.codeExecutionConfig !== undefined ? options.codeExecutionConfig : (defaults.codeExecutionConfig ?? false);
    if (this.codeExecutionConfig) codeTimeoutMs(this.codeExecutionConfig);
    this.model = options.model;
    this.tools = [...(options.tools ?? [])];
    for (const [fname, fn] of Object.entries(options.functionMap ?? {})) this.#functions.set(fname, fn);
    this.#io = options.io;
    this.#hideEmptyMessages = options.hideEmptyMessages ?? false;
    this.#getHumanInput = options.getHumanInput;
    this.#channels = { ...(options.channels ?? {}) };
    for (const [channelName, channel] of Object.entries(this.#channels)) {
      if (!isApprovalChannel(channel) && typeof (channel as Partial<HumanIO>)?.input !== 'function') throw new ConfigurationError(`channel "${channelName}" of agent ${name} is neither an io ({ print, input }) nor an approval channel ({ name, ask })`);
    }
    if (options.approvalChannel !== undefined && !isApprovalChannel(options.approvalChannel)) throw new ConfigurationError(`the approvalChannel of agent ${name} must be an approval channel ({ name, ask })`);
    this.#approvalChannel = options.approvalChannel;
    this.#runId = options.runId;
    this.#facts = options.facts;
    this.#decideOptions = { ...(options.decideOptions ?? {}) };
    this.#supervision = { onReject: options.onReject ?? 'end', ...(options.rejectionMessage !== undefined ? { rejectionMessage: options.rejectionMessage } : {}), ...(options.shadow ? { shadow: true } : {}) };
    if (options.onEvent) this.events.on(options.onEvent);
    this.#host = this.#makeHost();
  }

  // ── what other agents and hosts read ─────────────────────────────────────────────────────

  /** Where this agent prints and asks. */
  get io(): HumanIO {
    return this.#io ?? getDefaultIO();
  }

  /** Every conversation, by partner. */
  get chatMessages(): ReadonlyMap<Agent, readonly Message[]> {
    return this.#conversations;
  }

  /** The conversation with one partner. */
  chatMessagesWith(agent: Agent): readonly Message[] {
    return this.#conversations.get(agent) ?? [];
  }

  /** The last message exchanged with `agent` (with the only partner when omitted). */
  lastMessage(agent?: Agent): Message | undefined {
    if (agent) return this.#conversations.get(agent)?.at(-1);
    if (this.#conversations.size !== 1) return undefined;
    return [...this.#conversations.values()][0]!.at(-1);
  }

  /** The functions this agent executes, by name. */
  get functionMap(): ReadonlyMap<string, ToolFunction> {
    return this.#functions;
  }

  /** Whether this agent executes every one of the named functions. */
  canExecuteFunction(names: string | readonly string[]): boolean {
    return (typeof names === 'string' ? [names] : names).every((name) => this.#functions.has(name));
  }

  /** Observes this agent's events; returns the function that stops observing. */
  on(listener: EventListener): () => void {
    return this.events.on(listener);
  }

  /** The limit of consecutive auto-replies to `sender` (the default limit when omitted). */
  maxConsecutiveAutoReply(sender?: Agent): number {
    return sender ? (this.#limits.get(sender) ?? this.#defaultLimit) : this.#defaultLimit;
  }

  /** Changes the limit for one sender, or the default and every sender's when `sender` is omitted. */
  updateMaxConsecutiveAutoReply(value: number, sender?: Agent): void {
    checkLimit(value);
    if (sender) this.#limits.set(sender, value);
    else {
      this.#defaultLimit = value;
      this.#limits.clear();
    }
  }

  /** Consecutive auto-replies so far to `sender`. */
  consecutiveAutoReplyCount(sender: Agent): number {
    return this.#autoReplies.get(sender) ?? 0;
  }

  /** Resets the counter of one sender, or of all. */
  resetConsecutiveAutoReplyCounter(sender?: Agent): void {
    if (sender) this.#autoReplies.set(sender, 0);
    else this.#autoReplies.clear();
  }

  /** Forgets the conversation with one partner, or all of them. */
  clearHistory(agent?: Agent): void {
    if (agent) {
      this.#conversations.delete(agent);
      this.#startedAt.delete(agent);
      this.#supervisors.delete(agent);
    } else {
      this.#conversations.clear();
      this.#startedAt.clear();
      this.#supervisors = new WeakMap<object, Supervisor<Verdict>>();
    }
  }

  /** Forgets every conversation and counter, as before the first chat. */
  reset(): void {
    this.clearHistory();
    this.resetConsecutiveAutoReplyCounter();
    this.#replyAtReceive.clear();
  }

  /** Adds functions this agent executes when a message calls them. */
  registerFunction(functions: Record<string, ToolFunction>): void {
    for (const [name, fn] of Object.entries(functions)) this.#functions.set(name, fn);
  }

  /** Offers a function to this agent's model. */
  registerTool(tool: ToolDefinition): void {
    this.tools = [...this.tools.filter((t) => t.function.name !== tool.function.name), tool];
  }

  /** Whether `message` ends the conversation for this agent (its `isTerminationMsg`). */
  isTerminationMsg(message: Message): boolean {
    return this.#isTermination(message);
  }

  /** Prints through this agent's io. */
  print(text: string): void {
    this.io.print(text);
  }

  protected emit(event: HandrailEvent): void {
    this.events.emit(event);
  }

  // ── the loop ─────────────────────────────────────────────────────────────────────────────

  /**
   * Sends a message; resolves when the exchange it starts is over, with how it ended.
   *
   * @example
   * await user.send('Please try again', assistant);
   */
  async send(input: MessageInput, recipient: Agent, options: SendOptions = {}): Promise<ChatEnd | undefined> {
    const message = toMessage(input);
    if (!message) throw new ConfigurationError("a message needs content or tool calls: this one can't be converted into a valid chat message");
    this.#conversation(recipient).push(asStored(message, 'assistant', this.name));
    this.emit({ type: 'message-sent', sender: this.name, recipient: recipient.name, message, silent: options.silent ?? false });
    return recipient.receive(message, this, options);
  }

  /**
   * Receives a message; prints it, and replies unless no reply is asked for.
   *
   * @example
   * await assistant.receive('Hello', user, { requestReply: false });
   */
  async receive(input: MessageInput, sender: Agent, options: SendOptions = {}): Promise<ChatEnd | undefined> {
    const message = toMessage(input);
    if (!message) throw new ConfigurationError("received a message that can't be converted into a valid chat message: it needs content or tool calls");
    this.#conversation(sender).push(asStored(message, 'user', sender.name));
    if (!options.silent && !(this.#hideEmptyMessages && isEmptyMessage(message))) this.print(formatReceivedMessage(message, sender.name, this.name));
    if (options.requestReply === false || (options.requestReply === undefined && this.#replyAtReceive.get(sender) === false)) return undefined;
    const result = await this.generateReply({ sender });
    if (result.reply === null) return result.end;
    return this.send(result.reply, sender, options.silent ? { silent: true } : {});
  }

  /**
   * The reply to the last message from `sender`: the policy decides first (ask, stop or
   * auto-reply), then the auto-reply chain writes it.
   *
   * @example
   * const result = await user.generateReply({ sender: assistant });
   */
  async generateReply(options: { sender: Agent; messages?: readonly Message[] }): Promise<ReplyResult> {
    const { sender } = options;
    const history = options.messages ?? this.#conversation(sender);
    const last = history.at(-1);
    let fixedReply: string | undefined;
    let toolArguments: Record<string, string> | undefined;
    if (last) {
      const outcome = await checkHumanReply(this.#host, last, sender, history.length);
      if (outcome.kind === 'end') return { reply: null, end: outcome.end };
      if (outcome.kind === 'reply') return { reply: outcome.message };
      fixedReply = outcome.reply;
      toolArguments = outcome.toolArguments;
    }
    const { message, source } = await this.generateAutoReply(history, sender, fixedReply, toolArguments);
    this.emit({ type: 'auto-reply-generated', agent: this.name, sender: sender.name, source, autoReplies: this.consecutiveAutoReplyCount(sender), message });
    return { reply: message };
  }

  /**
   * The auto-reply: the policy's fixed reply, else the answers to tool calls, else the output of
   * code blocks, else the model, else `defaultAutoReply`. `toolArguments` replaces the arguments
   * of tool calls (by id) with those an approver edited. Subclasses may extend it.
   */
  protected async generateAutoReply(history: readonly Message[], sender: Agent, fixedReply?: string, toolArguments?: Readonly<Record<string, string>>): Promise<{ message: Message; source: AutoReplySource }> {
    if (fixedReply !== undefined) return { message: { role: 'user', content: fixedReply }, source: 'policy' };
    const last = history.at(-1);
    if (last?.tool_calls?.length) return { message: await this.#answerToolCalls(last, toolArguments), source: 'tool' };
    if (this.codeExecutionConfig !== false) {
      const output = await this.#runCode(history, this.codeExecutionConfig);
      if (output !== undefined) return { message: { role: 'user', content: output }, source: 'code' };
    }
    if (this.model) {
      const message = await this.#askModel(history);
      if (message) return { message, source: 'model' };
    }
    return { message: toMessage(this.defaultAutoReply) ?? { role: 'user', content: '' }, source: 'default' };
  }

  /**
   * Asks a person, as AutoGen's get_human_input: through `getHumanInput` when given, else the
   * io (or the named channel). Subclasses may override it.
   *
   * @example
   * class Reviewer extends UserProxyAgent {
   *   override async getHumanInput(prompt: string) { return prompt.includes('invoice') ? 'approve' : ''; }
   * }
   */
  async getHumanInput(prompt: string, options: InputOptions & { channel?: string } = {}): Promise<string> {
    const { channel, ...inputOptions } = options;
    if (this.#getHumanInput) return String((await this.#getHumanInput(prompt, inputOptions)) ?? '');
    return this.#channel(channel).input(prompt, inputOptions);
  }

  /**
   * Starts a chat with `recipient` and resolves when it is over.
   *
   * @example
   * const result = await user.initiateChat(assistant, { message: 'Draft an email to Ana.', maxTurns: 4 });
   */
  async initiateChat(recipient: Agent, options: InitiateChatOptions = {}): Promise<ChatResult> {
    const { maxTurns, clearHistory = true, silent = false } = options;
    if (maxTurns !== undefined && (!Number.isInteger(maxTurns) || maxTurns < 0)) throw new ConfigurationError(`maxTurns must be a whole number ≥ 0, not ${maxTurns}`);
    const events: HandrailEvent[] = [];
    const seen = new Set<HandrailEvent>();
    const collect = (event: HandrailEvent) => {
      if (seen.has(event)) return;
      seen.add(event);
      events.push(event);
    };
    const suspends = (options.wait ?? 'in-process') === 'suspend';
    if (suspends && !options.durable) throw new ConfigurationError("a chat that suspends needs a durable run to keep its question: give initiateChat durable");
    const stop = [this.on(collect), recipient.on?.(collect)];
    const { run, finish } = options.durable || options.audit ? await chatRun(options, recipient) : { run: undefined, finish: undefined };
    const previousRuns = [this.#run, recipient instanceof ConversableAgent ? recipient.#run : undefined];
    const previousSuspends = [this.#suspends, recipient instanceof ConversableAgent ? recipient.#suspends : false];
    if (run) {
      this.#run = run;
      this.#suspends = suspends;
      if (recipient instanceof ConversableAgent) {
        recipient.#run = run;
        recipient.#suspends = suspends;
      }
    }
    const usageBefore = [{ ...this.usage }, recipient instanceof ConversableAgent ? { ...recipient.usage } : emptyUsage()];
    try {
      let end: ChatEnd | undefined;
      const first = async () => options.message ?? (await this.askHuman('>', { sender: null })).answer;
      if (maxTurns !== undefined) {
        this.#prepareChat(recipient, clearHistory, false);
        for (let turn = 0; turn < maxTurns && !end; turn++) {
          let next: MessageInput;
          if (turn === 0) next = await first();
          else {
            const result = await this.generateReply({ sender: recipient });
            if (result.reply === null) {
              end = result.end;
              break;
            }
            next = result.reply;
          }
          // The recipient replies once; its reply is not answered until the next turn.
          end = await this.send(next, recipient, { requestReply: true, silent });
        }
        end ??= { cause: 'max-turns', agent: this.name, reason: `reached the limit of ${maxTurns} turns` };
      } else {
        this.#prepareChat(recipient, clearHistory, true);
        end = (await this.send(await first(), recipient, { silent })) ?? { cause: 'no-reply', agent: recipient.name, reason: `${recipient.name} did not reply` };
      }
      this.emit({ type: 'chat-ended', initiator: this.name, recipient: recipient.name, end });
      const chatHistory = this.chatMessagesWith(recipient).map((message) => ({ ...message }));
      const usage = [this.usage, recipient instanceof ConversableAgent ? recipient.usage : emptyUsage()].reduce((sum, now, i) => {
        const before = usageBefore[i]!;
        return {
          promptTokens: sum.promptTokens + now.promptTokens - before.promptTokens,
          completionTokens: sum.completionTokens + now.completionTokens - before.completionTokens,
          totalTokens: sum.totalTokens + now.totalTokens - before.totalTokens,
        };
      }, emptyUsage());
      return {
        chatHistory,
        summary: contentText(chatHistory.at(-1) ?? { content: '' }),
        humanInputs: events.flatMap((event) => (event.type === 'human-input-received' ? [event.answer] : [])),
        ended: end,
        events,
        usage,
      };
    } finally {
      for (const off of stop) off?.();
      if (run) {
        this.#run = previousRuns[0];
        this.#suspends = previousSuspends[0]!;
        if (recipient instanceof ConversableAgent) {
          recipient.#run = previousRuns[1];
          recipient.#suspends = previousSuspends[1]!;
        }
        await finish?.();
      }
    }
  }

  // ── inside ───────────────────────────────────────────────────────────────────────────────

  #conversation(agent: Agent): Message[] {
    let messages = this.#conversations.get(agent);
    if (!messages) {
      this.#conversations.set(agent, (messages = []));
      this.#startedAt.set(agent, Date.now());
    }
    return messages;
  }

  #prepareChat(recipient: Agent, clearHistory: boolean, replyAtReceive: boolean, prepareRecipient = true): void {
    this.resetConsecutiveAutoReplyCounter(recipient);
    this.#replyAtReceive.set(recipient, replyAtReceive);
    if (clearHistory) this.clearHistory(recipient);
    if (prepareRecipient && recipient instanceof ConversableAgent) recipient.#prepareChat(this, clearHistory, replyAtReceive, false);
  }

  #channel(name: string | undefined): HumanIO {
    if (name === undefined) return this.io;
    const channel = this.#namedChannel(name);
    if (isApprovalChannel(channel)) throw new ConfigurationError(`channel "${name}" of agent ${this.name} is an approval channel: it is asked with a whole request (askApproval), not a prompt`);
    return channel;
  }

  #namedChannel(name: string): HumanIO | ApprovalChannel {
    const channel = Object.hasOwn(this.#channels, name) ? this.#channels[name] : undefined;
    if (!channel) throw new ConfigurationError(`the policy asks through channel "${name}", but agent ${this.name} has no such channel (it has: ${Object.keys(this.#channels).join(', ') || 'none'})`);
    return channel;
  }

  /** Asks a person through `getHumanInput` (the first message, a speaker to choose), with the events around it. */
  protected async askHuman(prompt: string, options: { sender: Agent | null; channel?: string }): Promise<{ answer: string; timedOut: boolean }> {
    const sender = options.sender?.name ?? null;
    const channel = options.channel !== undefined ? { channel: options.channel } : {};
    this.emit({ type: 'human-input-requested', agent: this.name, sender, prompt, ...channel });
    const input = async (signal?: AbortSignal) => String((await this.getHumanInput(prompt, { ...(signal ? { signal } : {}), ...channel })) ?? '');
    // In a durable run the question is an approval of the run; the io answers it, or the store.
    const answer = this.#run ? (await askInRun(this.#run, { agent: this.name, sender, prompt, policy: this.policy, ...channel }, input)).answer : await input();
    this.emit({ type: 'human-input-received', agent: this.name, sender, prompt, answer, timedOut: false });
    return { answer, timedOut: false };
  }

  async #answerToolCalls(message: Message, edited: Readonly<Record<string, string>> = {}): Promise<Message> {
    const responses: ToolResponse[] = [];
    for (const call of message.tool_calls ?? []) {
      this.print(`>>>>>>>> EXECUTING FUNCTION ${call.function.name}...`);
      const args = Object.hasOwn(edited, call.id) ? edited[call.id]! : call.function.arguments;
      const { content, ok } = await stepInRun(this.#run, `tool:${call.id}`, 'tool', [call.function.name, args], () => executeToolCall(this.#functions, call.function.name, args));
      this.emit({ type: 'tool-executed', agent: this.name, name: call.function.name, callId: call.id, arguments: args, result: content, ok });
      responses.push({ role: 'tool', tool_call_id: call.id, content });
    }
    return toolReply(responses);
  }

  /** AutoGen's generate_code_execution_reply: the latest received message with code, run block by block. */
  async #runCode(history: readonly Message[], config: CodeExecutionConfig): Promise<string | undefined> {
    const lastN = config.lastNMessages ?? 'auto';
    let scan: number;
    if (lastN === 'auto') {
      // The messages received since this agent last spoke.
      scan = 0;
      for (let i = history.length - 1; i >= 0 && history[i]!.role === 'user'; i--) scan++;
    } else scan = lastN;
    for (let i = 0; i < Math.min(history.length, scan); i++) {
      const message = history[history.length - 1 - i]!;
      if (!message.content) continue;
      const blocks = findCodeBlocks(message.content);
      if (!blocks.length) continue;
      let logs = '';
      let exitCode = 0;
      for (const [index, block] of blocks.entries()) {
        const language = languageOf(block);
        this.print(`>>>>>>>> EXECUTING CODE BLOCK ${index} (inferred language is ${language})...`);
        let result;
        try {
          result = await stepInRun(this.#run, `code:${this.name}`, 'code', block, () => executeCodeBlock(block, config));
        } catch (error) {
          if (error instanceof CodeExecutionError) throw error;
          throw new CodeExecutionError(`agent ${this.name} could not run a ${language} block: ${(error as Error).message}`, { cause: error });
        }
        this.emit({ type: 'code-executed', agent: this.name, language, code: block.code, exitCode: result.exitCode, output: result.output });
        logs += `\n${result.output}`;
        exitCode = result.exitCode;
        if (exitCode !== 0) break;
      }
      return `exitcode: ${exitCode} (${exitCode === 0 ? 'execution succeeded' : 'execution failed'})\nCode output: ${logs}`;
    }
    return undefined;
  }

  async #askModel(history: readonly Message[]): Promise<Message | undefined> {
    const system: Message[] = this.systemMessage ? [{ role: 'system', content: this.systemMessage }] : [];
    const request = { messages: toModelMessages([...system, ...history]), ...(this.tools.length ? { tools: this.tools } : {}) };
    const response = await stepInRun(this.#run, `model:${this.name}`, 'model', request, () => this.model!.complete(request));
    if (response.usage) {
      this.usage.promptTokens += response.usage.promptTokens;
      this.usage.completionTokens += response.usage.completionTokens;
      this.usage.totalTokens += response.usage.totalTokens;
    }
    if (response.toolCalls?.length) return { role: 'assistant', content: response.content, tool_calls: response.toolCalls };
    if (response.content === null) return undefined;
    return { role: 'user', content: response.content };
  }

  /** The supervisor of the conversation with `sender`: the one path of decide → ask → answer → verdict, journal and audit. */
  #supervisor(sender: Agent): Supervisor<Verdict> {
    const key: object = this.#run ?? sender;
    let supervisor = this.#supervisors.get(key);
    if (supervisor) return supervisor;
    const typed = (name: string | undefined) => typedChannel(name ?? 'io', (prompt, signal) => this.getHumanInput(prompt, { signal, ...(name !== undefined ? { channel: name } : {}) }));
    supervisor = createSupervisor({
      policy: this.policy,
      name: this.name,
      channel: this.#approvalChannel ?? typed(undefined),
      channels: (name) => {
        const channel = this.#namedChannel(name);
        return isApprovalChannel(channel) ? channel : typed(name);
      },
      humanAvailable: this.humanInputMode !== 'NEVER',
      ...(this.#facts ? { facts: this.#facts } : {}),
      decideOptions: this.#decideOptions,
      prompt: defaultPrompt,
      ...this.#supervision,
      // Typed text can only end the chat: "exit" stops the conversation, as the prompt says.
      onReject: (decision) => (this.#typed(decision.channel) ? 'end' : rejectModeOf(this.#supervision.onReject, decision)),
      ...(this.#run ? { run: this.#run, ...(this.#suspends ? { wait: 'suspend' as const } : {}) } : { runId: this.#runId ?? randomUUID() }),
    });
    this.#supervisors.set(key, supervisor);
    return supervisor;
  }

  /** Whether an escalation through this channel is asked as typed text (an io) rather than an approval channel. */
  #typed(name: string | undefined): boolean {
    return name === undefined ? this.#approvalChannel === undefined : !isApprovalChannel(this.#namedChannel(name));
  }

  #makeHost(): HumanReplyHost {
    // The check reaches the counters and the person through this narrow object only.
    const agent = this;
    return {
      get name() {
        return agent.name;
      },
      get humanInputMode() {
        return agent.humanInputMode;
      },
      supervisor: (sender) => agent.#supervisor(sender),
      typed: (name) => agent.#typed(name),
      autoReplies: (sender) => agent.consecutiveAutoReplyCount(sender),
      setAutoReplies: (sender, value) => void agent.#autoReplies.set(sender, value),
      maxConsecutiveAutoReply: (sender) => agent.maxConsecutiveAutoReply(sender),
      isTerminationMsg: (message) => agent.#isTermination(message),
      elapsedMs: (sender) => Date.now() - (agent.#startedAt.get(sender) ?? Date.now()),
      tokens: (sender) => {
        const other = sender instanceof ConversableAgent && sender !== agent ? sender.usage : emptyUsage();
        return {
          prompt: agent.usage.promptTokens + other.promptTokens,
          completion: agent.usage.completionTokens + other.completionTokens,
          total: agent.usage.totalTokens + other.totalTokens,
        };
      },
      authorIsModel: (sender, message) => {
        // A group chat manager relays its members' messages, named after them.
        const members = (sender as { groupChat?: { agentByName(name: string): Agent | undefined } }).groupChat;
        const author = (message.name !== undefined && members?.agentByName(message.name)) || sender;
        return author instanceof ConversableAgent && author.model !== undefined;
      },
      print: (text) => agent.print(text),
      emit: (event) => agent.emit(event),
    };
  }
}

function isApprovalChannel(value: unknown): value is ApprovalChannel {
  return typeof value === 'object' && value !== null && typeof (value as Partial<ApprovalChannel>).ask === 'function';
}

function isMode(value: unknown): value is HumanInputMode {
  return value === 'ALWAYS' || value === 'NEVER' || value === 'TERMINATE';
}

function checkLimit(value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new ConfigurationError(`maxConsecutiveAutoReply must be a whole number ≥ 0, not ${value}`);
  return value;
}

/**
 * Offers `fn` to the caller's model and lets the executor run it (AutoGen's register_function).
 *
 * @example
 * registerFunction(lookupInvoice, { caller: assistant, executor: user, name: 'lookup_invoice', description: 'Find an invoice by id',
 *   parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } });
 */
export function registerFunction(
  fn: ToolFunction,
  options: { caller: ConversableAgent; executor: ConversableAgent; name: string; description?: string; parameters?: Record<string, unknown> },
): void {
  options.caller.registerTool({
    type: 'function',
    function: {
      name: options.name,
      ...(options.description !== undefined ? { description: options.description } : {}),
      parameters: options.parameters ?? { type: 'object', properties: {} },
    },
  });
  options.executor.registerFunction({ [options.name]: fn });
}
