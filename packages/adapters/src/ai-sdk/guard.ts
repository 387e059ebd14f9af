// The AI SDK's loop (generateText, streamText) in front of the supervisor: each tool call is a
// turn decided in the tool's `needsApproval` and enforced in its `execute`; the text of a step
// is a turn decided in `stopWhen`, and what a person said about it reaches the model through
// `prepareStep`. A question that waits (`wait: 'suspend'`) is the SDK's own
// `tool-approval-request`, answered with `answer()` in this process or another.
import { isDeepStrictEqual } from 'node:util';
import type { ModelMessage, PrepareStepFunction, StopCondition, Tool, ToolSet } from 'ai';
import { claimResume, createSupervisor, DurableRunError, type ApprovalAnswer, type PendingQuestion, type SupervisorOptions, type Verdict } from '@handrail/core';
import { ConfigurationError, type Turn } from '@handrail/policy';
import { approvalRequestsOf, approvalResponsesOf, pausedFormat, type PausedStep } from './paused.js';

/**
 * The supervisor's options, and the name the model speaks as.
 *
 * @example
 * const options: AiSdkGuardOptions = { policy, channel: approvals, sender: 'clerk' };
 */
export type AiSdkGuardOptions = SupervisorOptions & {
  /** Who the model speaks as, for the policy's `sender` and the auto-reply count; `assistant` by default. */
  sender?: string;
};

/**
 * What a loop does with the final text of a `generateText`/`streamText` call (a step without
 * tool calls, which the SDK never gives to `stopWhen`).
 *
 * - `final`: the text is the answer.
 * - `continue`: append `message` (a person's word, or why the text was refused) and call again.
 * - `stop`: end with `reason`.
 * - `suspended`: a person was asked; keep `paused` and give it to `answer()` when they have answered.
 *
 * @example
 * const outcome = await guard.checkAnswer(result.text);
 * if (outcome.kind === 'continue') messages.push(outcome.message);
 */
export type AnswerOutcome =
  | { kind: 'final'; verdict: Verdict }
  | { kind: 'continue'; message: ModelMessage; verdict: Verdict }
  | { kind: 'stop'; reason: string; verdict: Verdict }
  | { kind: 'suspended'; paused: PausedStep[] };

/**
 * One policy in front of an AI SDK loop. Give `generateText`/`streamText` the guard's `tools`,
 * `stopWhen` and `prepareStep`; one guard per conversation (it keeps the loop's counters, and a
 * stop stands until `reset()`).
 *
 * @example
 * const guard = createAiSdkGuard({ policy, channel: approvals });
 * const result = await generateText({ model, tools: guard.tools({ refund }), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep, prompt: 'Refund order 42.' });
 * if (guard.stopped) console.log(`stopped: ${guard.stopped.reason}`);
 */
export interface AiSdkGuard {
  /** The run its questions name. */
  readonly runId: string;
  /** Set once the policy (or a person) stopped the run: no tool runs after it, and `stopWhen` ends the loop. */
  readonly stopped: { reason: string; verdict: Verdict } | undefined;
  /** The tools, each call decided by the policy before it runs. Every tool needs an `execute`. */
  tools<TOOLS extends ToolSet>(tools: TOOLS): TOOLS;
  /** Ends the loop after a step the policy stopped, and decides each step's text as a turn. */
  readonly stopWhen: StopCondition<any>;
  /** Gives the model what a person said about a step's text (a reply, or why it was refused). */
  readonly prepareStep: PrepareStepFunction<any>;
  /** Decides the final text of a call (the SDK ends its loop on it without asking `stopWhen`). */
  checkAnswer(text: string): Promise<AnswerOutcome>;
  /**
   * The questions the loop waits on, as plain JSON: each SDK `tool-approval-request` in
   * `messages` (the history, or `result.response.messages`) that this guard asked, and any
   * suspended text. Keep them with the history.
   */
  paused(messages: readonly ModelMessage[]): PausedStep[];
  /**
   * Resumes the loop from paused questions, once: each answer (by `approvalId`, or for a text
   * by the question's id; else the answer stored in the run's store) becomes a verdict, and
   * the result is the messages to append before calling `generateText`/`streamText` again — a
   * `tool` message of `tool-approval-response` parts, and a `user` message for a text a person
   * refused or replied to. An approved call runs (with a person's edit, decided again); a
   * refused one is denied with the rejection text as the SDK's reason.
   */
  answer(paused: readonly PausedStep[], answers?: Readonly<Record<string, ApprovalAnswer>>): Promise<ModelMessage[]>;
  /** Starts the counters again and lifts a stop, as a new conversation does. */
  reset(): void;
}

// What the SDK gives a tool's `execute` besides its input (ai@7 made ToolExecutionOptions generic).
type ToolExecutionOptions = Parameters<NonNullable<Tool['execute']>>[1];

/** What a tool call's `execute` will do, decided in its `needsApproval`. */
interface DecidedCall {
  name: string;
  /** The arguments the verdict is about: the call must arrive at `execute` with these. */
  args: unknown;
  verdict: Verdict;
}

const noAnswerText = 'A person was asked about this call and gave no answer; it did not run.';

function notRun(why: string): string {
  return `This call did not run: ${why}.`;
}

async function lastValue(output: unknown): Promise<unknown> {
  if (output === null || typeof output !== 'object' || !(Symbol.asyncIterator in output)) return output;
  let last: unknown;
  for await (const value of output as AsyncIterable<unknown>) last = value;
  return last;
}

function answerOfApproval(approved: boolean, reason: string | undefined): ApprovalAnswer {
  const at = new Date().toISOString();
  return approved ? { kind: 'approve', at, channel: 'ai-sdk' } : { kind: 'reject', ...(reason ? { message: reason } : {}), at, channel: 'ai-sdk' };
}

/**
 * Creates the guard of one AI SDK conversation, on one supervisor (docs/supervisor.md).
 *
 * @example
 * const guard = createAiSdkGuard({ policy, run, wait: 'suspend' });
 * const result = await generateText({ model, tools: guard.tools(tools), stopWhen: [guard.stopWhen, stepCountIs(10)], prepareStep: guard.prepareStep, messages });
 * const paused = guard.paused(result.response.messages); // store with the history; answer() later
 */
export function createAiSdkGuard(options: AiSdkGuardOptions): AiSdkGuard {
  const { sender = 'assistant', ...supervisorOptions } = options;
  const supervisor = createSupervisor(supervisorOptions);
  const decided = new Map<string, DecidedCall>();
  // Questions asked in this process and surfaced as SDK approval requests, by tool call id.
  const asked = new Map<string, PendingQuestion>();
  const suspendedTexts: PendingQuestion[] = [];
  // What a person said about a step's text, waiting for the next step; then kept at its place
  // in the messages for the rest of the call (the SDK does not keep what prepareStep adds).
  let queued: ModelMessage[] = [];
  let injected: Array<{ at: number; message: ModelMessage }> = [];
  let stopped: { reason: string; verdict: Verdict } | undefined;
  // One decision at a time: counters and journal keys follow the order of the calls.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const note = (verdict: Verdict): Verdict => {
    if (verdict.kind === 'stop' && !stopped) stopped = { reason: verdict.reason, verdict };
    return verdict;
  };

  /** What a person's verdict on a text tells the model, if anything. */
  const wordOn = (verdict: Verdict): string | undefined => {
    if (verdict.kind === 'reject') return verdict.toModel;
    if (verdict.kind === 'reply' && verdict.text !== '') return verdict.text;
    return undefined;
  };

  const checkText = (text: string): Promise<Verdict> => serially(async () => note(await supervisor.check({ content: text, role: 'assistant', sender })));

  const wrap = (name: string, original: Tool): Tool => {
    const execute = original.execute;
    if (typeof execute !== 'function') throw new ConfigurationError(`tool ${JSON.stringify(name)} has no execute: the policy can only hold back calls the loop runs itself`);
    return {
      ...original,
      needsApproval: async (input: unknown, { toolCallId, messages }: { toolCallId: string; messages: ModelMessage[] }) => {
        // The SDK asks again when it resumes an approved call from the history.
        const response = approvalResponsesOf(messages).get(toolCallId);
        if (response) {
          const resumed = decided.get(toolCallId);
          if (resumed) return true;
          const question = asked.get(toolCallId);
          // An approval this guard did not ask for is no approval: the SDK denies the call.
          if (!question) return false;
          asked.delete(toolCallId);
          const verdict = await serially(async () => note(await supervisor.resume(question, answerOfApproval(response.approved, response.reason))));
          decided.set(toolCallId, { name, args: question.turn.tool?.args, verdict });
          return true;
        }
        const turn: Turn = { content: null, role: 'assistant', sender, tool: { name, args: input } };
        const verdict = await serially(async () => note(await supervisor.check(turn, { tools: [{ name, args: input, callId: toolCallId }] })));
        if (verdict.kind === 'suspended') {
          asked.set(toolCallId, verdict.pending);
          return true;
        }
        decided.set(toolCallId, { name, args: input, verdict });
        return false;
      },
      execute: async (input: unknown, execution: ToolExecutionOptions) => {
        const call = decided.get(execution.toolCallId);
        decided.delete(execution.toolCallId);
        // A stop on any call of the step (every call is decided before any runs) runs none.
        if (stopped) return notRun(`the run was stopped: ${stopped.reason}`);
        if (!call || call.name !== name) return notRun('the policy did not decide it');
        if (!isDeepStrictEqual(call.args, input)) return notRun('its arguments are not the ones that were decided');
        const { verdict } = call;
        if (verdict.kind === 'reject') return verdict.toModel;
        if (verdict.kind === 'reply') return verdict.text === '' ? noAnswerText : verdict.text;
        if (verdict.kind !== 'proceed') return notRun('it waits for a person');
        const args = verdict.args !== undefined ? verdict.args : input;
        const run = options.run;
        // In a durable run the call runs once in the life of the run.
        if (run) return run.step(`tool:${execution.toolCallId}`, async () => lastValue(await execute(args as never, execution)), { kind: 'tool', input: { id: execution.toolCallId, name, args } });
        return execute(args as never, execution);
      },
    } as Tool;
  };

  const stopWhen: StopCondition<any> = async ({ steps }) => {
    if (stopped) return true;
    const text = steps.at(-1)?.text ?? '';
    if (text === '') return false;
    const verdict = await checkText(text);
    if (verdict.kind === 'suspended') {
      suspendedTexts.push(verdict.pending);
      return true;
    }
    const word = wordOn(verdict);
    if (word !== undefined) queued.push({ role: 'user', content: word });
    return stopped !== undefined;
  };

  const prepareStep: PrepareStepFunction<any> = ({ stepNumber, messages }) => {
    if (stepNumber === 0) injected = [];
    for (const message of queued.splice(0)) injected.push({ at: messages.length, message });
    if (injected.length === 0) return undefined;
    const withWords = [...messages];
    injected.forEach(({ at, message }, index) => withWords.splice(at + index, 0, message));
    return { messages: withWords };
  };

  return {
    get runId() {
      return supervisor.runId;
    },
    get stopped() {
      return stopped;
    },
    tools<TOOLS extends ToolSet>(tools: TOOLS): TOOLS {
      return Object.fromEntries(Object.entries(tools).map(([name, tool]) => [name, wrap(name, tool)])) as TOOLS;
    },
    stopWhen,
    prepareStep,
    async checkAnswer(text) {
      const verdict = await checkText(text);
      if (verdict.kind === 'suspended') return { kind: 'suspended', paused: [{ format: pausedFormat, kind: 'text', question: verdict.pending }] };
      if (verdict.kind === 'stop') return { kind: 'stop', reason: verdict.reason, verdict };
      const word = wordOn(verdict);
      return word === undefined ? { kind: 'final', verdict } : { kind: 'continue', message: { role: 'user', content: word }, verdict };
    },
    paused(messages) {
      const requests = approvalRequestsOf(messages);
      const steps: PausedStep[] = [];
      for (const [toolCallId, question] of asked) {
        const approvalId = requests.get(toolCallId);
        if (approvalId !== undefined) steps.push({ format: pausedFormat, kind: 'tool', approvalId, toolCallId, question: structuredClone(question) });
      }
      for (const question of suspendedTexts) steps.push({ format: pausedFormat, kind: 'text', question: structuredClone(question) });
      return steps;
    },
    async answer(paused, answers = {}) {
      const responses: Array<{ type: 'tool-approval-response'; approvalId: string; approved: boolean; reason?: string }> = [];
      const words: ModelMessage[] = [];
      for (const step of paused) {
        if (step?.format !== pausedFormat) throw new ConfigurationError(`a paused step must have format ${pausedFormat}, not ${JSON.stringify(step?.format)}`);
        const { question } = step;
        const id = step.kind === 'tool' ? step.approvalId : question.request.id;
        const answer = Object.hasOwn(answers, id) ? answers[id] : (await options.run?.store.getApproval(question.request.id))?.answer?.answer;
        if (!answer) throw new ConfigurationError(`no answer to the question ${question.request.id} (${question.request.prompt}) yet`);
        const verdict = await serially(async () => note(await supervisor.resume(question, answer)));
        // The SDK acts on whatever history it is given, as often as it is given it: the store lets
        // one resume of a question through, and refuses the same paused step again.
        const store = options.run?.store;
        if (store && verdict.kind !== 'suspended' && !(await claimResume(store, question.request.id)))
          throw new DurableRunError('ALREADY_RESUMED', `question ${question.request.id} was resumed already, or another process is resuming it: a paused step is resumed once`);
        if (step.kind === 'text') {
          if (verdict.kind === 'suspended') throw new ConfigurationError(`the question ${question.request.id} was answered with an edit that needs another answer: ${verdict.pending.request.id}`);
          const word = wordOn(verdict);
          if (word !== undefined) words.push({ role: 'user', content: word });
          continue;
        }
        asked.delete(step.toolCallId);
        if (verdict.kind === 'proceed' || verdict.kind === 'reply') {
          decided.set(step.toolCallId, { name: question.turn.tool?.name ?? '', args: question.turn.tool?.args, verdict });
          responses.push({ type: 'tool-approval-response', approvalId: step.approvalId, approved: true });
        } else {
          // The SDK's own refusal: the model reads the reason as the call's result.
          const reason = verdict.kind === 'reject' ? verdict.toModel : verdict.kind === 'stop' ? notRun(`the run was stopped: ${verdict.reason}`) : notRun(`a person's edit needs another answer (question ${verdict.pending.request.id})`);
          responses.push({ type: 'tool-approval-response', approvalId: step.approvalId, approved: false, reason });
        }
      }
      return [...(responses.length ? [{ role: 'tool' as const, content: responses }] : []), ...words];
    },
    reset() {
      supervisor.reset();
      decided.clear();
      asked.clear();
      suspendedTexts.length = 0;
      queued = [];
      injected = [];
      stopped = undefined;
    },
  };
}
