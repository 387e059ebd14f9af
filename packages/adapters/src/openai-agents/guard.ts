// The OpenAI Agents SDK in front of a policy: every function tool call and the final message are
// a turn of the supervisor (docs/supervisor.md); its verdict becomes the SDK's own verbs — an
// approval interruption, a tool input guardrail that refuses or ends the run, an output guardrail.
import { randomUUID } from 'node:crypto';
import { MaxTurnsExceededError, type FunctionTool, type OutputGuardrail, type RunContext, type ToolGuardrailFunctionOutput, type ToolInputGuardrailDefinition } from '@openai/agents';
import { createSupervisor, DurableRun, type PendingQuestion, type RunStore, type Supervisor, type SupervisorOptions, type Verdict } from '@handrail/core';
import type { ApprovalAnswer } from '@handrail/core';
import type { Agent, RunResult, StreamedRunResult } from '@openai/agents';
import type { Turn } from '@handrail/policy';
import { noAnswerOutput, pauseRun, resumeRun, type PausedRun, type Resumed } from './paused.js';

/**
 * The supervisor's options, and where escalations wait.
 *
 * @example
 * const options: AgentsGuardOptions = { policy, channel: approvals, sender: 'clerk' };
 */
export type AgentsGuardOptions = Omit<SupervisorOptions, 'wait' | 'run'> & {
  /**
   * With a store, an escalated tool call becomes the SDK's interruption: the question is put in
   * the store (any process may answer it) and the run ends with `result.interruptions`; resume
   * it with `guard.resume`. Without one, the guard asks `channel` and waits, inside the run.
   */
  store?: RunStore;
  /** Who the agent speaks as, for the policy's `sender` and the auto-reply count; `agent` by default. */
  sender?: string;
};

/**
 * Why a guarded run ended: what the policy (or a person it asked) said, carried by the SDK's
 * tripwire error as its `outputInfo`.
 *
 * @example
 * const stop: HandrailStop = { handrail: 'stop', reason: 'accounts are never deleted', verdict };
 */
export interface HandrailStop {
  handrail: 'stop';
  reason: string;
  verdict: Verdict;
}

/**
 * A policy in front of one conversation with the Agents SDK (it keeps the loop's counters).
 *
 * @example
 * const guard = createAgentsGuard({ policy, channel: approvals });
 * const agent = new Agent({ name: 'clerk', tools: guard.tools([refund]), outputGuardrails: [guard.outputGuardrail] });
 */
export interface AgentsGuard {
  /** The supervisor deciding each step. */
  supervisor(): Promise<Supervisor<Verdict>>;
  /** A copy of a function tool whose calls the policy decides (the original is not changed). */
  tool<T extends FunctionTool<any, any, any>>(tool: T): T;
  /** `tool` on each; other tools (hosted, computer, …) are passed through. */
  tools<T extends readonly unknown[]>(tools: T): T;
  /** Decides the final message: anything but `proceed` ends the run with the SDK's tripwire. */
  readonly outputGuardrail: OutputGuardrail<any, any>;
  /**
   * A result that ended on the policy's questions (store mode), as plain JSON: the SDK's
   * `state.toString()` and the question behind each interruption.
   */
  pause(result: RunResult<any, any> | StreamedRunResult<any, any>): PausedRun;
  /**
   * Resumes a paused run with the answers (by call id or question id; else the store's), each
   * decided once by the supervisor and given to the SDK as `approve` or `reject` (see pauseRun's
   * module). `agent` is the same graph, its tools wrapped by a guard on the same store.
   */
  resume<TAgent extends Agent<any, any>>(agent: TAgent, paused: PausedRun, answers?: Readonly<Record<string, ApprovalAnswer>>): Promise<Resumed<TAgent>>;
  /**
   * The SDK's `maxTurns` for a run under this policy: the policy's `max auto_replies` when it
   * states one (a turn the agent takes by itself is at least one auto-reply), else undefined (the
   * SDK's own default stands). Give it to `run(agent, input, { maxTurns: guard.maxTurns })`.
   */
  readonly maxTurns: number | undefined;
  /**
   * Why a guarded run ended, from the error it threw: the policy's stop (as `stopOf`), or the
   * SDK's turn limit (`MaxTurnsExceededError`) as a stop of this policy with the limit as its
   * reason (also given to `onVerdict`). Undefined for any other error.
   */
  stopOf(error: unknown): HandrailStop | undefined;
  /** Releases the durable run of the store mode. */
  close(): Promise<void>;
}

function stopOutput(verdict: Verdict, reason: string): ToolGuardrailFunctionOutput {
  const stop: HandrailStop = { handrail: 'stop', reason, verdict };
  return { behavior: { type: 'throwException' }, outputInfo: stop };
}

/**
 * Creates a guard: wrap the agent's function tools with `guard.tools(...)` (in every process
 * that runs or resumes the agent) and add `guard.outputGuardrail` to decide its final message.
 *
 * @example
 * const guard = createAgentsGuard({ policy, channel: approvals, sender: 'clerk' });
 * const agent = new Agent({ name: 'clerk', instructions, tools: guard.tools([refund]) });
 * const result = await run(agent, 'Refund order 42.');
 */
export function createAgentsGuard(options: AgentsGuardOptions): AgentsGuard {
  const { store, sender = 'agent', audit, ...rest } = options;
  let opened: Promise<{ supervisor: Supervisor<Verdict>; run?: DurableRun }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      if (!store) return { supervisor: createSupervisor({ ...rest, ...(audit ? { audit } : {}) }) };
      // A run of its own for each guard: the SDK resumes from its RunState, not by replaying a
      // journal, so a journal must never be replayed against the calls of a resumed run.
      const run = await DurableRun.open(store, `${options.runId ?? 'openai-agents'}-${randomUUID()}`, audit ? { audit } : {});
      return { supervisor: createSupervisor({ ...rest, run, wait: 'suspend' }), run };
    })());
  // What each call may do, by the SDK's call id, from its decision until it runs (or not).
  const verdicts = new Map<string, Verdict>();
  const pending = new Map<string, PendingQuestion>();

  const decide = async (name: string, args: unknown, callId: string | undefined): Promise<Verdict> => {
    const { supervisor } = await open();
    const turn: Turn = { content: null, role: 'assistant', sender, tool: { name, args } };
    return supervisor.check(turn, { tools: [{ name, args, ...(callId !== undefined ? { callId } : {}) }] });
  };

  const guardrail: ToolInputGuardrailDefinition = {
    type: 'tool_input',
    name: 'handrail',
    async run({ toolCall }) {
      let verdict = verdicts.get(toolCall.callId);
      // Approved around the guard (a tool's own approval, `alwaysApprove`): decided here.
      if (!verdict) {
        let args: unknown;
        try {
          args = JSON.parse(toolCall.arguments);
        } catch {
          args = toolCall.arguments;
        }
        verdict = await decide(toolCall.name, args, toolCall.callId);
        verdicts.set(toolCall.callId, verdict);
      }
      switch (verdict.kind) {
        case 'proceed':
          return { behavior: { type: 'allow' } };
        case 'reject':
          verdicts.delete(toolCall.callId);
          return { behavior: { type: 'rejectContent', message: verdict.toModel } };
        case 'reply':
          verdicts.delete(toolCall.callId);
          return { behavior: { type: 'rejectContent', message: verdict.text === '' ? noAnswerOutput : verdict.text } };
        case 'stop':
          verdicts.delete(toolCall.callId);
          return stopOutput(verdict, verdict.reason);
        case 'suspended':
          // A question can only pause the run before a call is approved; here nobody has answered.
          verdicts.delete(toolCall.callId);
          return stopOutput(verdict, `${verdict.decision.reason}; the call was approved around the policy while a person's answer was pending`);
      }
    },
  };

  const wrap = <T extends FunctionTool<any, any, any>>(tool: T): T => {
    const original = tool;
    return {
      ...original,
      async needsApproval(context: RunContext, input: unknown, callId?: string) {
        // Still waiting on a person (an edit asked about again): the call stays paused.
        if (callId !== undefined && pending.has(callId)) return true;
        const verdict = await decide(original.name, input, callId);
        if (callId !== undefined) verdicts.set(callId, verdict);
        if (verdict.kind === 'suspended') {
          if (callId !== undefined) pending.set(callId, verdict.pending);
          return true;
        }
        // The tool's own approval still applies to a call the policy lets through.
        return verdict.kind === 'proceed' ? original.needsApproval(context, input as never, callId) : false;
      },
      inputGuardrails: [guardrail, ...(original.inputGuardrails ?? [])],
      async invoke(context: RunContext, input: string, details?: Parameters<T['invoke']>[2]) {
        const callId = details?.toolCall?.callId;
        const verdict = callId !== undefined ? verdicts.get(callId) : undefined;
        if (callId !== undefined) verdicts.delete(callId);
        // A person's edit, decided again by the policy: the SDK runs what the model proposed, so
        // the edited arguments are given to the tool here (and checked by its own schema).
        const edited = verdict?.kind === 'proceed' && verdict.args !== undefined ? JSON.stringify(verdict.args) : input;
        return original.invoke(context, edited, details);
      },
    } as T;
  };

  const book = { pending, verdicts, store, supervisor: async () => (await open()).supervisor };

  const outputGuardrail: OutputGuardrail<any, any> = {
    name: 'handrail',
    async execute({ agentOutput }) {
      const { supervisor } = await open();
      const content = typeof agentOutput === 'string' ? agentOutput : JSON.stringify(agentOutput);
      const verdict = await supervisor.check({ content, role: 'assistant', sender });
      if (verdict.kind === 'proceed') return { tripwireTriggered: false, outputInfo: verdict };
      const reason = verdict.kind === 'stop' ? verdict.reason : verdict.kind === 'suspended' ? `${verdict.decision.reason}; waiting for a person` : verdict.kind === 'reject' ? verdict.toModel : verdict.text;
      const stop: HandrailStop = { handrail: 'stop', reason, verdict };
      return { tripwireTriggered: true, outputInfo: stop };
    },
  };

  const maxTurns = options.policy.document.maxAutoReplies;
  const turnLimitStop = (error: MaxTurnsExceededError): HandrailStop => {
    const limit = maxTurns ?? (error.state as { _maxTurns?: unknown } | undefined)?._maxTurns;
    const reason = `the run reached its limit of ${typeof limit === 'number' ? `${limit} turn${limit === 1 ? '' : 's'}` : 'turns'}${maxTurns !== undefined ? " (the policy's max auto_replies)" : ''}`;
    const { name, version, hash } = options.policy;
    const decision = { action: 'stop' as const, rule: null, reason, reset: [], policy: { name, ...(version !== undefined ? { version } : {}), hash }, explanation: [] };
    const verdict: Verdict = { kind: 'stop', decision, reason };
    options.onVerdict?.(verdict, { content: null, role: 'assistant', sender });
    return { handrail: 'stop', reason, verdict };
  };

  return {
    supervisor: async () => (await open()).supervisor,
    maxTurns,
    stopOf: (error) => stopOf(error) ?? (error instanceof MaxTurnsExceededError ? turnLimitStop(error) : undefined),
    tool: wrap,
    tools: <T extends readonly unknown[]>(tools: T): T => tools.map((tool) => (isFunctionTool(tool) ? wrap(tool) : tool)) as unknown as T,
    outputGuardrail,
    pause: (result) => pauseRun(book, result),
    resume: (agent, paused, answers = {}) => resumeRun(book, agent, paused, answers),
    async close() {
      if (!opened) return;
      const { run } = await opened;
      await run?.close();
    },
  };
}

function isFunctionTool(tool: unknown): tool is FunctionTool<any, any, any> {
  return typeof tool === 'object' && tool !== null && (tool as { type?: unknown }).type === 'function' && typeof (tool as { invoke?: unknown }).invoke === 'function';
}

/**
 * The policy's stop behind an error a guarded run threw: the SDK ends a run on a tool input
 * guardrail's `throwException` (wrapped in a `ToolCallError`) or an output guardrail's tripwire.
 * Undefined for any other error.
 *
 * @example
 * try { await run(agent, input); } catch (error) { const stop = stopOf(error); if (!stop) throw error; console.log(stop.reason); }
 */
export function stopOf(error: unknown): HandrailStop | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; current = (current as { error?: unknown }).error, depth++) {
    const result = (current as { result?: { guardrail?: { name?: unknown }; output?: { outputInfo?: unknown } } }).result;
    const info = result?.guardrail?.name === 'handrail' ? (result.output?.outputInfo as HandrailStop | undefined) : undefined;
    if (info?.handrail === 'stop') return info;
  }
  return undefined;
}
