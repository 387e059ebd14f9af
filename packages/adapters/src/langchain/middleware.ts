// A LangChain.js `createAgent` middleware that puts a policy in front of every model message and
// every tool call, on the supervisor (docs/supervisor.md). The model's message is decided in
// afterModel — each tool call in order, before any of them runs, so a stop on one runs none — and
// the verdicts go into the agent state. wrapToolCall runs what was let through, and asks about
// what waits on a person with LangGraph's `interrupt`, one per call, resumed with
// `Command({ resume })`. Because the question is in the checkpoint, nothing is decided again
// when a run resumes, in this process or another.
import { AIMessage, HumanMessage, RemoveMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { Command, interrupt } from '@langchain/langgraph';
import { createMiddleware } from 'langchain';
import { randomUUID } from 'node:crypto';
import {
  createSupervisor,
  DurableRun,
  MemoryRunStore,
  timeoutAnswer,
  type ApprovalAnswer,
  type PendingQuestion,
  type Supervisor,
  type SupervisorOptions,
  type Verdict,
} from '@handrail/core';
import { ConfigurationError, type Turn } from '@handrail/policy';
import { handrailStateSchema, type CallRecord, type HandrailState, type HandrailUpdate, type StopRecord } from './state.js';

/**
 * The supervisor's options, and how escalations wait.
 *
 * @example
 * const options: HandrailMiddlewareOptions = { policy, audit: await AuditLog.open('audit.jsonl') };
 */
export interface HandrailMiddlewareOptions extends Omit<SupervisorOptions, 'wait' | 'run' | 'runId'> {
  /**
   * `interrupt` (the default without a channel): an escalation pauses the graph with LangGraph's
   * `interrupt` — the graph needs a checkpointer and a `thread_id` — and the answer comes back with
   * `Command({ resume })`. `in-process` (the default with `channel` or `channels`): the person is
   * asked through Handrail channels while the agent waits, with the policy's timeout.
   */
  wait?: 'interrupt' | 'in-process';
  /** Who the model speaks as, for the policy's `sender` and the auto-reply count; `name`, else `agent`. */
  sender?: string;
  /** Counters are kept per thread; this many threads at most, least recently used dropped first. 1000 by default. */
  maxThreads?: number;
}

/** The text a tool call gets when a person was asked and gave no answer. */
const noAnswerText = 'A person was asked about this call and gave no answer; it did not run.';

function textOf(message: BaseMessage): string {
  return typeof message.content === 'string' ? message.content : message.text;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function stopOf(verdict: Extract<Verdict, { kind: 'stop' }>): StopRecord {
  return { reason: verdict.reason, rule: verdict.decision.rule };
}

function withArgs(message: AIMessage, id: string, args: unknown): AIMessage {
  return new AIMessage({
    content: message.content,
    id: message.id!,
    ...(message.name !== undefined ? { name: message.name } : {}),
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    ...(message.usage_metadata ? { usage_metadata: message.usage_metadata } : {}),
    tool_calls: (message.tool_calls ?? []).map((call) => (call.id === id ? { ...call, args: args as Record<string, unknown> } : call)),
  });
}

/**
 * A `createAgent` middleware that decides every model message and tool call with the policy.
 * Put it first in `middleware` (the outermost): retry and fallback middleware catch LangGraph's
 * interrupts, and middleware outside it could change tool calls after they were decided — a
 * call whose name or arguments differ from the decided one is not run, and the run stops.
 *
 * Verdicts map onto LangChain's own verbs: proceed runs the tool (with a person's edit, decided
 * again by the policy, which the model then sees as the call's arguments); reject gives the model
 * the rejection as the call's result; a reply is the call's result; stop removes the model's
 * message, ends the run (`jumpTo: 'end'`) and says why in `result.handrail.stop`. A final message
 * that is rejected or replied to goes back to the model with the person's word.
 *
 * @example
 * const agent = createAgent({ model, tools: [refund], middleware: [handrailMiddleware({ policy })], checkpointer: new MemorySaver() });
 * const config = { configurable: { thread_id: 'order-42' } };
 * let result = await agent.invoke({ messages: [{ role: 'user', content: 'Refund order 42' }] }, config);
 * for (const { interruptId, question } of pendingQuestions(result)) {
 *   console.log(question.request.prompt);
 *   result = await agent.invoke(new Command({ resume: { [interruptId]: { kind: 'approve', by: 'ana' } } }), config);
 * }
 */
export function handrailMiddleware(options: HandrailMiddlewareOptions) {
  const { wait: _wait, sender: _sender, maxThreads: _maxThreads, ...supervisorOptions } = options;
  const wait = options.wait ?? (options.channel || options.channels ? 'in-process' : 'interrupt');
  const sender = options.sender ?? options.name ?? 'agent';
  const maxThreads = options.maxThreads ?? 1000;
  if (!Number.isSafeInteger(maxThreads) || maxThreads < 1) throw new ConfigurationError(`maxThreads must be a whole number of at least 1, not ${String(options.maxThreads)}`);

  // One supervisor per thread: each conversation has its own counters. Escalations that pause
  // the graph are questions of a run in memory; the checkpoint, not this run, carries them across
  // processes.
  interface Thread {
    supervisor: Supervisor<Verdict>;
    run?: DurableRun;
  }
  const threads = new Map<string, Promise<Thread>>();
  const threadOf = (threadId: string | undefined): Promise<Thread> => {
    const key = threadId ?? '';
    const known = threads.get(key);
    if (known) {
      threads.delete(key);
      threads.set(key, known);
      return known;
    }
    // Unique to this process's supervisor of the thread: record ids restart with each supervisor,
    // and an audit log keeps the first record of an id, so two processes must not share a run id.
    const runId = threadId !== undefined ? `${threadId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 160)}-${randomUUID().slice(0, 8)}` : randomUUID();
    const created = (async (): Promise<Thread> => {
      if (wait === 'in-process') return { supervisor: createSupervisor({ ...supervisorOptions, runId }) };
      const { audit, ...rest } = supervisorOptions;
      const run = await DurableRun.open(new MemoryRunStore(), runId, audit ? { audit } : {});
      return { supervisor: createSupervisor({ ...rest, run, wait: 'suspend' }), run };
    })();
    threads.set(key, created);
    created.catch(() => threads.delete(key));
    while (threads.size > maxThreads) threads.delete(threads.keys().next().value!);
    return created;
  };

  // LangGraph runs an interrupted node again from its start on each resume: a question is
  // answered once per process, and audited once.
  const resumed = new Map<string, Promise<Verdict>>();
  const resumeOnce = (thread: Thread, pending: PendingQuestion, answer: unknown): Promise<Verdict> => {
    const known = resumed.get(pending.request.id);
    if (known) return known;
    const verdict = (async (): Promise<Verdict> => {
      try {
        // In another process the run in memory has never seen the question: it comes from the checkpoint.
        if (thread.run && !(await thread.run.store.getApproval(pending.request.id))) await thread.run.store.putApproval(pending.request);
        return await thread.supervisor.resume(pending, answerOf(pending, answer));
      } catch (error) {
        // An answer that is no answer (wrong shape, too large, an edit of nothing) is nobody's word.
        return { kind: 'stop', decision: pending.decision, reason: `${pending.decision.reason}; the answer was refused: ${error instanceof Error ? error.message : String(error)}` };
      }
    })();
    resumed.set(pending.request.id, verdict);
    while (resumed.size > 10_000) resumed.delete(resumed.keys().next().value!);
    return verdict;
  };

  /** Asks through `interrupt` until the answer settles (an edit the policy escalates asks again). */
  const askByInterrupt = async (thread: Thread, first: PendingQuestion): Promise<Exclude<Verdict, { kind: 'suspended' }>> => {
    let pending = first;
    for (;;) {
      const answer: unknown = interrupt(pending);
      const verdict = await resumeOnce(thread, pending, answer);
      if (verdict.kind !== 'suspended') return verdict;
      pending = verdict.pending;
    }
  };

  const turnOf = (message: AIMessage, tool?: { name: string; args: unknown }): Turn => ({ content: textOf(message), role: 'assistant', sender, ...(tool ? { tool } : {}) });

  return createMiddleware({
    name: 'HandrailMiddleware',
    stateSchema: handrailStateSchema,

    beforeAgent: () => ({ handrail: update({ reset: true }) }),

    // A person's answer that stopped a tool call ends the run before the model is called again.
    beforeModel: {
      canJumpTo: ['end'],
      hook: (state) => (state.handrail?.stop ? { jumpTo: 'end' } : undefined),
    },

    afterModel: {
      canJumpTo: ['end', 'model'],
      hook: async (state, runtime) => {
        const message = state.messages.at(-1);
        if (!message || !AIMessage.isInstance(message)) return undefined;
        const { supervisor } = await threadOf(runtime.configurable?.thread_id);
        const calls = message.tool_calls ?? [];
        const removed = message.id ? [new RemoveMessage({ id: message.id })] : [];
        if (calls.length === 0) {
          const verdict = await supervisor.check(turnOf(message));
          switch (verdict.kind) {
            case 'proceed':
              return undefined;
            case 'suspended':
              // Asked in afterAgent, a node of its own: the question is checkpointed first.
              return { handrail: update({ reset: true, message: { messageId: message.id ?? '', pending: verdict.pending } }) };
            case 'stop':
              return { messages: removed, handrail: update({ reset: true, stop: stopOf(verdict) }), jumpTo: 'end' as const };
            case 'reject':
              return { messages: [new HumanMessage(verdict.toModel)], jumpTo: 'model' as const };
            case 'reply':
              return verdict.text === '' ? undefined : { messages: [new HumanMessage(verdict.text)], jumpTo: 'model' as const };
          }
        }
        const records: Record<string, CallRecord> = {};
        const results: ToolMessage[] = [];
        let shown = message;
        for (const call of calls) {
          const verdict = await supervisor.check(turnOf(message, { name: call.name, args: call.args }), { tools: [{ name: call.name, args: call.args, ...(call.id ? { callId: call.id } : {}) }] });
          if (verdict.kind === 'stop') return { messages: removed, handrail: update({ reset: true, stop: stopOf(verdict) }), jumpTo: 'end' as const };
          if (!call.id) {
            // Without an id the call cannot be matched to its verdict when it runs.
            return { messages: removed, handrail: update({ reset: true, stop: { reason: `the tool call ${JSON.stringify(call.name)} has no id, so its verdict cannot be kept`, rule: null } }), jumpTo: 'end' as const };
          }
          switch (verdict.kind) {
            case 'proceed': {
              const args = verdict.args !== undefined ? verdict.args : call.args;
              records[call.id] = { kind: 'proceed', name: call.name, args };
              if (verdict.args !== undefined) shown = withArgs(shown, call.id, verdict.args);
              break;
            }
            case 'suspended':
              records[call.id] = { kind: 'suspended', name: call.name, args: call.args, pending: verdict.pending };
              break;
            case 'reject':
              results.push(new ToolMessage({ content: verdict.toModel, tool_call_id: call.id, name: call.name, status: 'error' }));
              break;
            case 'reply':
              results.push(new ToolMessage({ content: verdict.text === '' ? noAnswerText : verdict.text, tool_call_id: call.id, name: call.name }));
              break;
          }
        }
        return { messages: [...(shown !== message ? [shown] : []), ...results], handrail: update({ reset: true, calls: records }) };
      },
    },

    // A final message that waits on a person: asked here, from the checkpointed question.
    afterAgent: {
      canJumpTo: ['end', 'model'],
      hook: async (state, runtime) => {
        const waiting = state.handrail?.message;
        if (!waiting) return undefined;
        const verdict = await askByInterrupt(await threadOf(runtime.configurable?.thread_id), waiting.pending);
        const removed = waiting.messageId ? [new RemoveMessage({ id: waiting.messageId })] : [];
        switch (verdict.kind) {
          case 'proceed':
            return { handrail: update({ message: null }) };
          case 'stop':
            return { messages: removed, handrail: update({ message: null, stop: stopOf(verdict) }), jumpTo: 'end' as const };
          case 'reject':
            return { messages: [new HumanMessage(verdict.toModel)], handrail: update({ message: null }), jumpTo: 'model' as const };
          case 'reply':
            return verdict.text === '' ? { handrail: update({ message: null }) } : { messages: [new HumanMessage(verdict.text)], handrail: update({ message: null }), jumpTo: 'model' as const };
        }
      },
    },

    wrapToolCall: async (request, handler) => {
      const { toolCall: call } = request;
      const id = call.id ?? '';
      const record = (request.state as { handrail?: HandrailState }).handrail?.calls[id];
      const notRun = (stop: StopRecord) =>
        new Command({ update: { messages: [new ToolMessage({ content: `Not run: ${stop.reason}`, tool_call_id: id, name: call.name, status: 'error' })], handrail: update({ stop }) } });
      if (!record || record.name !== call.name || !sameJson(record.args, call.args)) {
        return notRun({ reason: `the tool call ${JSON.stringify(call.name)} (${id || 'no id'}) is not the one the policy decided; put handrailMiddleware first in middleware`, rule: null });
      }
      if (record.kind === 'proceed') return handler(request);
      const verdict = await askByInterrupt(await threadOf(request.runtime.configurable?.thread_id), record.pending);
      switch (verdict.kind) {
        case 'proceed': {
          if (verdict.args === undefined) return handler(request);
          // The edit passed the policy: the tool runs with it, and the model sees the call as it ran.
          const result = await handler({ ...request, toolCall: { ...call, args: verdict.args as Record<string, unknown> } });
          const asked = request.state.messages.findLast((message): message is AIMessage => AIMessage.isInstance(message) && (message.tool_calls ?? []).some((tool) => tool.id === id));
          if (!asked?.id || !ToolMessage.isInstance(result)) return result;
          return new Command({ update: { messages: [withArgs(asked, id, verdict.args), result] } });
        }
        case 'reject':
          return new ToolMessage({ content: verdict.toModel, tool_call_id: id, name: call.name, status: 'error' });
        case 'reply':
          return new ToolMessage({ content: verdict.text === '' ? noAnswerText : verdict.text, tool_call_id: id, name: call.name });
        case 'stop':
          return notRun(stopOf(verdict));
      }
    },
  });
}

/** Typed as the state's input. */
function update(value: HandrailUpdate): HandrailState {
  return value as HandrailState;
}

/** The answer a resume value gives: a timeout once the question's time is up, whatever was sent. */
function answerOf(pending: PendingQuestion, value: unknown): ApprovalAnswer {
  const expiresAt = pending.request.expiresAt;
  if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) return timeoutAnswer();
  return value as ApprovalAnswer;
}

