// One step of any loop: counters, the decision, a question to a person, the answer's verdict,
// the journal and the audit record (docs/supervisor.md). The bundled agents, the gate and every
// adapter call this; none re-implements a part of it.
import { randomUUID } from 'node:crypto';
import { ConfigurationError, deadlineEnd, decide, type DecideOptions, type Decision, type FactProvider, type Policy, type Turn } from '@handrail/policy';
import { answerAuditEntry, decisionAuditEntry } from '../audit/audit-entries.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest, ApprovalTool } from '../channels/approval.js';
import { askWithTimeout } from '../channels/timeout.js';
import { answerApproval } from '../durable/answer-approval.js';
import { DurableRun } from '../durable/durable-run.js';
import { MemoryRunStore } from '../durable/memory-run-store.js';
import { defaultMessageRejectionMessage, defaultRejectionMessage, verdictOfAnswer, type AnswerContext } from './answer-verdict.js';
import { LoopCounters } from './counters.js';
import { checkPending } from './pending-check.js';
import { editedTurn } from './edited-turn.js';
import { fillPrompt, questionOf } from './question.js';
import { pendingQuestionFormat, type PendingQuestion, type RejectMode, type SettledVerdict, type Verdict } from './verdict.js';

type Escalation = Extract<Decision, { action: 'escalate' }>;

/**
 * @example
 * const options: SupervisorOptions = { policy, channel: slack, onReject: { default: 'refuse', rules: { large: 'end' } } };
 */
export interface SupervisorOptions {
  policy: Policy;
  /** Where escalations go when the deciding rule names no channel (`via …`). */
  channel?: ApprovalChannel;
  /**
   * Channels by the names rules give with `via`, or a function that finds one by name (it may
   * throw for a name the loop cannot have: a configuration error, thrown from `check`).
   */
  channels?: Readonly<Record<string, ApprovalChannel>> | ((name: string) => ApprovalChannel | undefined);
  /** Whether a person can be asked (the policy's escalations fall back when not); whether a channel is given, by default. */
  humanAvailable?: boolean;
  /** Options of each decision, e.g. `{ engine: 'reference' }` to decide with json-rules-engine itself. */
  decideOptions?: Omit<DecideOptions, 'facts' | 'humanAvailable'>;
  /** The question when the deciding rule gives no prompt (`{name}` and `{sender}` are filled in after); `<reason>. Approve?` by default. */
  prompt?: (decision: Escalation) => string;
  /** Values of the custom facts the policy declares. */
  facts?: Readonly<Record<string, FactProvider>>;
  /** Decide and record, never enforce: every verdict is `proceed`, with `enforced: false`. */
  shadow?: boolean;
  /** Where decisions and answers are audited; a durable `run` audits to its own log. */
  audit?: AuditLog;
  /** A durable run: decisions and questions are journaled, answers may come from any process. */
  run?: DurableRun;
  /**
   * `in-process` (default) awaits a person's answer; `suspend` (needs `run`) journals the
   * question, puts it in the run's store and returns a `suspended` verdict at once.
   */
  wait?: 'in-process' | 'suspend';
  /** What a person's `reject` does, for the loop, per rule, or per escalation; `refuse` by default. */
  onReject?: RejectMode | { default?: RejectMode; rules?: Readonly<Record<string, RejectMode>> } | ((decision: Escalation) => RejectMode);
  /** The text a refused step gives the model: `{message}`, `{tool}`, `{reason}` are filled in. */
  rejectionMessage?: string;
  /** Names the run in questions when there is no durable run; a random UUID by default. */
  runId?: string;
  /** The agent on whose behalf the supervisor asks, shown to people as `{name}`; `agent` by default. */
  name?: string;
  /** Called with every verdict, enforced or not. */
  onVerdict?: (verdict: Verdict, turn: Turn) => void;
}

/** @example await supervisor.check(turn, { tools: [{ name: 'refund', args: { amount: 40 }, callId: 'call_1' }] }); */
export interface CheckOptions {
  /** The tool calls as a person should see them (with call ids); the turn's by default. */
  tools?: ApprovalTool[];
  /** The message as a person should see it; the turn's content, role and sender by default. */
  message?: ApprovalRequest['message'];
  /** Called with the step's decision, before anyone is asked. */
  onDecision?: (decision: Decision, turn: Turn) => void;
  /** Called when a question is put (and when a restored run puts it again), before the wait; `channel` is the rule's `via` or the channel's name. */
  onQuestion?: (request: ApprovalRequest, channel: string) => void;
  /** Called with the answer to a question, however it arrived (the channel, the store, the journal). */
  onAnswer?: (request: ApprovalRequest, answer: ApprovalAnswer, channel: string) => void;
}

/**
 * One supervisor per loop (it keeps the loop's counters).
 *
 * @example
 * const supervisor = createSupervisor({ policy, channel: slack });
 * const verdict = await supervisor.check({ content, role: 'assistant', sender: 'clerk', tool: { name: 'refund', args } });
 */
export interface Supervisor<V extends Verdict = SettledVerdict> {
  /** The run questions name: the durable run's id, else `runId` or a random UUID. */
  readonly runId: string;
  /** Decides on one step and does what the decision asks; counts it as an auto-reply when it proceeds unasked. */
  check(turn: Turn, options?: CheckOptions): Promise<V>;
  /**
   * The verdict for a pending question from an answer the caller holds (a framework's resume
   * value). With a run, the answer is stored first: when another was stored first, that one
   * decides. An edit is decided again.
   */
  resume(pending: PendingQuestion, answer: ApprovalAnswer): Promise<V>;
  /** Consecutive auto-replies so far to `sender`. */
  autoReplies(sender?: string): number;
  /** Starts the counters again, as a new chat does. */
  reset(): void;
}

/** What a reject does for this escalation, as `onReject` says; `refuse` when it says nothing. */
export function rejectModeOf(given: SupervisorOptions['onReject'], decision: Escalation): RejectMode {
  if (given === undefined || typeof given === 'string') return given ?? 'refuse';
  if (typeof given === 'function') return given(decision);
  const { rule } = decision;
  return (rule !== null && given.rules && Object.hasOwn(given.rules, rule) ? given.rules[rule] : undefined) ?? given.default ?? 'refuse';
}

/**
 * Delivers a suspended question through its channel, as a step of the run: sent once in the life
 * of the run (a restored run replays the step, so a person is not asked twice; a crash in the
 * middle sends again, which is harmless: answers are keyed by the question's id). A question
 * answered before it was sent is not sent. A delivery that failed fails the step again on every
 * replay, unless a person has answered since (through the store): nobody was asked, so no
 * timeout lets the loop go on.
 */
async function sendOnce(run: DurableRun, key: string, request: ApprovalRequest, answer: ApprovalAnswer | undefined, channel: ApprovalChannel): Promise<void> {
  try {
    await run.step(
      `${key}/sent`,
      async () => {
        if (answer) return { sent: false };
        await channel.send!(request);
        return { sent: true, channel: channel.name };
      },
      { idempotent: true },
    );
  } catch (error) {
    if (!answer || answer.kind === 'timeout') throw error;
  }
}

function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Creates the supervisor of one loop.
 *
 * @example
 * const supervisor = createSupervisor({ policy, channel: approvals, audit: await AuditLog.open('audit.jsonl') });
 * const verdict = await supervisor.check({ content: null, role: 'assistant', sender: 'clerk', tool: { name: 'refund', args: { amount: 40 } } });
 * if (verdict.kind === 'proceed') await refund(verdict.args ?? { amount: 40 });
 * else if (verdict.kind === 'reject') tell(verdict.toModel);
 */
export function createSupervisor(options: SupervisorOptions & { wait: 'suspend' }): Supervisor<Verdict>;
export function createSupervisor(options: SupervisorOptions & { wait?: 'in-process' }): Supervisor<SettledVerdict>;
export function createSupervisor(options: SupervisorOptions): Supervisor<Verdict>;
export function createSupervisor(options: SupervisorOptions): Supervisor<Verdict> {
  const { policy, run } = options;
  const wait = options.wait ?? 'in-process';
  if (wait === 'suspend' && !run) throw new ConfigurationError('a supervisor that suspends needs a durable run to keep the question: give it run');
  if (run && options.audit && run.audit !== options.audit) throw new ConfigurationError("a durable run audits to its own log: give the audit log to DurableRun.open, not to createSupervisor");
  const name = options.name ?? 'agent';
  const runId = run?.runId ?? options.runId ?? randomUUID();
  const humanAvailable = options.humanAvailable ?? (Boolean(options.channel ?? options.channels) || wait === 'suspend');
  const decideOptions: DecideOptions = { ...options.decideOptions, ...(options.facts ? { facts: options.facts } : {}), humanAvailable };
  const { channels } = options;
  const namedChannel = (name: string): ApprovalChannel | undefined => (typeof channels === 'function' ? channels(name) : channels && Object.hasOwn(channels, name) ? channels[name] : undefined);
  const counters = new LoopCounters();
  // Audited without a durable run: a run in memory writes decisions and answers, as a durable one does.
  let auditRun: Promise<DurableRun> | undefined;
  const recorder = (): Promise<DurableRun> | undefined => {
    if (run) return Promise.resolve(run);
    if (!options.audit) return undefined;
    auditRun ??= DurableRun.open(new MemoryRunStore(), runId, { audit: options.audit });
    return auditRun;
  };

  const rejectMode = (decision: Escalation): RejectMode => rejectModeOf(options.onReject, decision);

  const decideTurn = async (turn: Turn, sender: string): Promise<Decision> => {
    const recording = recorder();
    if (!recording) return decide(policy, turn, decideOptions);
    const journal = await recording;
    return journal.decide(policy, turn, { ...decideOptions, key: journal.nextKey(`decision:${name}`), agent: name, sender });
  };

  const ask = async (turn: Turn, decision: Escalation, sender: string, check: CheckOptions): Promise<Verdict> => {
    // A channel name the loop cannot have throws here: a configuration error, not a step's fate.
    const channel = decision.channel !== undefined ? namedChannel(decision.channel) : options.channel;
    // Nobody to ask is never a reason to go on.
    if (!channel && wait !== 'suspend') return { kind: 'stop', decision, reason: `${decision.reason}; no channel ${decision.channel ?? '(default)'} to ask a person` };
    const channelName = decision.channel ?? channel?.name ?? 'store';
    const prompt = fillPrompt(decision.prompt ?? options.prompt?.(decision) ?? `${decision.reason}. Approve?`, name, sender);
    const onReject = rejectMode(decision);
    const input = questionOf(turn, decision, { agent: name, sender, prompt, onReject, ...(check.tools ? { tools: check.tools } : {}), ...(check.message ? { message: check.message } : {}) });
    let answer: ApprovalAnswer;
    let request: ApprovalRequest;
    try {
      const recording = recorder();
      const now = Date.now();
      const fresh = (id: string): ApprovalRequest => ({ ...input, id: randomUUID(), runId: id, createdAt: new Date(now).toISOString(), ...(decision.timeoutMs !== undefined ? { expiresAt: deadlineEnd(decision.timeoutMs, now) } : {}) });
      if (recording) {
        const journal = await recording;
        const key = journal.nextKey(`approval:${name}`);
        if (wait === 'suspend') {
          const put = await journal.requestApproval(input, { key });
          request = put.request;
          check.onQuestion?.(request, channelName);
          if (channel?.send) await sendOnce(journal, key, request, put.answer, channel);
          if (!put.answer) return { kind: 'suspended', decision, pending: { format: pendingQuestionFormat, runId: journal.runId, key, request: put.request, decision: toJson(decision), turn: toJson(turn) } };
          answer = put.answer;
        } else {
          // A restored run asks the question it recorded, under the same id.
          request = journal.recordedRequest(key) ?? fresh(journal.runId);
          check.onQuestion?.(request, channelName);
          answer = await journal.awaitApproval(request, { key, channel: channel! });
        }
      } else {
        request = fresh(runId);
        check.onQuestion?.(request, channelName);
        answer = await askWithTimeout(channel!, request, decision.timeoutMs !== undefined ? { timeoutMs: decision.timeoutMs } : {});
      }
    } catch (error) {
      // A channel that failed, a record that could not be written, a time limit nobody can
      // state: nobody's answer is on record, so the step stops.
      return { kind: 'stop', decision, reason: `${decision.reason}; asking a person failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    check.onAnswer?.(request, answer, channelName);
    return answered(turn, decision, answer, sender, check, onReject, (edited) => decideTurn(edited, sender));
  };

  const answered = async (turn: Turn, decision: Escalation, answer: ApprovalAnswer, sender: string, check: CheckOptions, onReject: RejectMode, redecide: (turn: Turn) => Promise<Decision>): Promise<Verdict> => {
    const tools = turn.tool ? [turn.tool.name] : (turn.toolCalls ?? []).map((call) => call.name);
    const rejectionMessage = options.rejectionMessage ?? (tools.length ? defaultRejectionMessage : defaultMessageRejectionMessage);
    const context: AnswerContext = { onReject, rejectionMessage, ...(tools.length ? { tool: [...new Set(tools)].join(', ') } : {}) };
    const outcome = verdictOfAnswer(decision, answer, context);
    if (outcome.kind !== 'edited') return outcome;
    // An edited call is a new turn: the policy sees it before it runs.
    const edit = editedTurn(turn, outcome.answer, check.tools);
    if (!edit) return { kind: 'stop', decision, reason: `${decision.reason}; the edit names no tool call of this step (${JSON.stringify(outcome.answer.callId ?? null)})`, answer };
    const again = await redecide(edit.turn);
    const editedCall = { args: outcome.args, ...(outcome.answer.callId !== undefined ? { callId: outcome.answer.callId } : {}) };
    if (again.action === 'continue') return { kind: 'proceed', decision, enforced: true, answer, ...editedCall };
    if (again.action === 'stop') return { kind: 'stop', decision: again, reason: `the edited call was stopped: ${again.reason}`, answer };
    const shown = check.tools?.map((tool, index) => (index === edit.index ? { ...tool, args: outcome.args } : tool));
    const verdict = await ask(edit.turn, again, sender, { ...check, ...(shown ? { tools: shown } : {}) });
    // Approving the edited call runs it with the edited arguments.
    return verdict.kind === 'proceed' && verdict.args === undefined ? { ...verdict, ...editedCall } : verdict;
  };

  return {
    runId,
    async check(turn, check = {}) {
      const sender = turn.sender ?? 'agent';
      const full = counters.next(turn, sender);
      const decision = await decideTurn(full, sender);
      counters.applyReset(decision, sender);
      check.onDecision?.(decision, full);
      let verdict: Verdict;
      if (options.shadow || decision.action === 'continue') verdict = { kind: 'proceed', decision, enforced: !options.shadow };
      else if (decision.action === 'stop') verdict = { kind: 'stop', decision, reason: decision.reason };
      else verdict = await ask(full, decision, sender, check);
      counters.count(verdict, sender);
      options.onVerdict?.(verdict, full);
      return verdict;
    },
    async resume(pending, answer) {
      await checkPending(pending, run);
      let taken = answer;
      if (run) {
        const outcome = await answerApproval(run.store, pending.request.id, answer);
        if (outcome.status === 'unknown') throw new ConfigurationError(`the run's store has no question ${pending.request.id}`);
        taken = outcome.answer;
      }
      const sender = pending.turn.sender ?? 'agent';
      counters.resumeFrom(pending.turn);
      const audit = run?.audit ?? options.audit;
      await audit?.append(answerAuditEntry(pending.request, taken, { runId: pending.runId, id: `${pending.runId}/${pending.key}`, channel: taken.channel ?? 'resume' }));
      // The question said what a reject does; that is what it does.
      const onReject = pending.request.decision.onReject ?? rejectMode(pending.decision);
      const tools = pending.request.tools ?? (pending.request.tool ? [pending.request.tool] : undefined);
      const verdict = await answered(pending.turn, pending.decision, taken, sender, tools ? { tools } : {}, onReject, async (edited) => {
        const decision = await decide(policy, edited, decideOptions);
        await audit?.append(decisionAuditEntry(decision, { runId: pending.runId, id: `${pending.runId}/${pending.key}/edit`, agent: name, sender, turn: edited }));
        return decision;
      });
      counters.count(verdict, sender);
      options.onVerdict?.(verdict, pending.turn);
      return verdict;
    },
    autoReplies(sender = 'agent') {
      return counters.autoReplies(sender);
    },
    reset() {
      counters.reset();
    },
  };
}
