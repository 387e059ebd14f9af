// A gate for hand-written agent loops: before the loop acts on a step (runs a tool call, sends an
// auto-reply), the gate asks the policy, asks a person when the policy escalates, and says what
// the loop may do. It keeps the loop's counters (step, consecutive auto-replies per sender,
// elapsed time) so the policy sees what a bundled agent would show it.
import { randomUUID } from 'node:crypto';
import { askWithTimeout, type ApprovalAnswer, type ApprovalChannel, type ApprovalRequest } from '@handrail/core';
import { deadlineEnd, decide, type Decision, type FactProvider, type Policy, type Turn } from '@handrail/policy';

/** What the loop may do with the step it asked about. */
export type GateVerdict =
  /** Go on: run the tool call (with `args` when a person edited them) or send the auto-reply. */
  | { kind: 'proceed'; decision: Decision; enforced: boolean; answer?: ApprovalAnswer; args?: unknown }
  /** A person answered with text: give it to the model instead of acting. */
  | { kind: 'reply'; decision: Decision; text: string; answer: ApprovalAnswer }
  /** A person refused this step; the run may go on (tell the model why). */
  | { kind: 'reject'; decision: Decision; message: string; answer: ApprovalAnswer }
  /** End the run. */
  | { kind: 'stop'; decision: Decision; reason: string; answer?: ApprovalAnswer };

export interface GateOptions {
  policy: Policy;
  /** Where escalations go when the deciding rule names no channel (`via …`). */
  channel?: ApprovalChannel;
  /** Channels by the names rules give with `via`. */
  channels?: Readonly<Record<string, ApprovalChannel>>;
  /** Values of the custom facts the policy declares. */
  facts?: Readonly<Record<string, FactProvider>>;
  /** Decide and report, never enforce: every verdict is `proceed`, with `enforced: false`. */
  shadow?: boolean;
  /** Called with every verdict, enforced or not (for logs and metrics). */
  onVerdict?: (verdict: GateVerdict, turn: Turn) => void;
  /** Names the run in approval requests; a random UUID by default. */
  runId?: string;
  /** The agent on whose behalf the gate asks, shown to people as `{name}`. */
  name?: string;
}

/**
 * A policy gate for a loop of your own.
 *
 * @example
 * const gate = createGate({ policy, channel: approvals });
 * const verdict = await gate.check({ content: message.content, role: 'assistant', sender: 'planner', tool: { name, args } });
 * if (verdict.kind === 'proceed') await runTool(name, verdict.args ?? args);
 */
export interface Gate {
  /** Decides on one step; counts it as an auto-reply to its sender when it proceeds unasked. */
  check(turn: Turn): Promise<GateVerdict>;
  /** Consecutive auto-replies so far to `sender`. */
  autoReplies(sender?: string): number;
  /** Starts the counters again, as a new chat does. */
  reset(): void;
}

function fill(prompt: string, name: string, sender: string): string {
  return prompt.replaceAll('{name}', name).replaceAll('{sender}', sender);
}

export function createGate(options: GateOptions): Gate {
  const runId = options.runId ?? randomUUID();
  const name = options.name ?? 'agent';
  let counters = new Map<string, number>();
  let step = 0;
  let startedAt = Date.now();

  const verdictOf = async (turn: Turn, decision: Decision, sender: string): Promise<GateVerdict> => {
    if (decision.action === 'continue') return { kind: 'proceed', decision, enforced: true };
    if (decision.action === 'stop') return { kind: 'stop', decision, reason: decision.reason };
    const channel = decision.channel !== undefined ? options.channels?.[decision.channel] : options.channel;
    // Nobody to ask is never a reason to go on.
    if (!channel) return { kind: 'stop', decision, reason: `${decision.reason}; no channel ${decision.channel ?? '(default)'} to ask a person` };
    const request: ApprovalRequest = {
      id: randomUUID(),
      runId,
      createdAt: new Date().toISOString(),
      agent: name,
      sender,
      prompt: fill(decision.prompt ?? `${decision.reason}. Approve?`, name, sender),
      ...(typeof turn.content === 'string' || turn.content === null ? { message: { role: turn.role ?? 'assistant', content: turn.content ?? null, name: sender } } : {}),
      ...(turn.tool ? { tool: { name: turn.tool.name, args: turn.tool.args } } : {}),
      decision: {
        rule: decision.rule,
        reason: decision.reason,
        onNoInput: decision.onNoInput,
        policy: decision.policy,
        ...(decision.channel !== undefined ? { channel: decision.channel } : {}),
        ...(decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {}),
      },
    };
    let answer: ApprovalAnswer;
    try {
      if (decision.timeoutMs !== undefined) request.expiresAt = deadlineEnd(decision.timeoutMs);
      answer = await askWithTimeout(channel, request, decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {});
    } catch (error) {
      // A channel that failed, or a time limit nobody can state: nobody was asked, so the step stops.
      return { kind: 'stop', decision, reason: `${decision.reason}; asking a person failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    switch (answer.kind) {
      case 'approve':
        return { kind: 'proceed', decision, enforced: true, answer };
      case 'edit':
        return { kind: 'proceed', decision, enforced: true, answer, args: answer.args };
      case 'reply':
        return answer.text === '' ? noAnswer(decision, answer) : { kind: 'reply', decision, text: answer.text, answer };
      case 'reject':
        return { kind: 'reject', decision, message: answer.message ?? 'rejected by a person', answer };
      case 'timeout':
        return noAnswer(decision, answer);
    }
  };

  const noAnswer = (decision: Extract<Decision, { action: 'escalate' }>, answer: ApprovalAnswer): GateVerdict => {
    if (decision.onNoInput === 'stop') return { kind: 'stop', decision, reason: `${decision.reason}; nobody answered`, answer };
    if (decision.onNoInput === 'reply') return { kind: 'reply', decision, text: '', answer };
    return { kind: 'proceed', decision, enforced: true, answer };
  };

  return {
    async check(turn) {
      const sender = turn.sender ?? 'agent';
      step += 1;
      const full: Turn = {
        step,
        autoReplies: counters.get(sender) ?? 0,
        elapsedMs: Date.now() - startedAt,
        ...turn,
        sender,
      };
      const decision = await decide(options.policy, full, { ...(options.facts ? { facts: options.facts } : {}), humanAvailable: Boolean(options.channel ?? options.channels) });
      if (decision.reset.includes('auto_replies')) counters.set(sender, 0);
      let verdict: GateVerdict;
      if (options.shadow) verdict = { kind: 'proceed', decision, enforced: false };
      else verdict = await verdictOf(full, decision, sender);
      // A step taken without a person's word is an auto-reply; a person's answer starts the count again.
      if (verdict.kind === 'proceed' && (!verdict.answer || verdict.answer.kind === 'timeout')) counters.set(sender, (counters.get(sender) ?? 0) + 1);
      else if (verdict.answer && verdict.answer.kind !== 'timeout') counters.set(sender, 0);
      options.onVerdict?.(verdict, full);
      return verdict;
    },
    autoReplies(sender = 'agent') {
      return counters.get(sender) ?? 0;
    },
    reset() {
      counters = new Map();
      step = 0;
      startedAt = Date.now();
    },
  };
}
