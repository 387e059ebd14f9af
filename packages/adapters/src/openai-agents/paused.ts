// A guarded run the SDK paused on a person's answer, as plain JSON, and the one way on: the
// answers become the SDK's approve / reject, an edit or a reply a verdict the guard applies by
// call id when the resumed run reaches the call.
import { RunState, type Agent, type RunResult, type RunToolApprovalItem, type StreamedRunResult } from '@openai/agents';
import { ConfigurationError } from '@handrail/policy';
import { claimResume, DurableRunError, type ApprovalAnswer, type PendingQuestion, type RunStore, type Supervisor, type Verdict } from '@handrail/core';

/** What the model reads when nobody answered and the rule's `else` is `reply`. */
export const noAnswerOutput = 'A person was asked about this call and gave no answer; it did not run.';

/** What resuming needs of the guard. */
export interface PauseBook {
  /** The questions asked and not answered yet, by call id. */
  readonly pending: Map<string, PendingQuestion>;
  /** The verdicts calls will run under, by call id. */
  readonly verdicts: Map<string, Verdict>;
  supervisor(): Promise<Supervisor<Verdict>>;
  readonly store?: RunStore | undefined;
}

/** The format a paused run names; `resume` refuses others. */
export const pausedRunFormat = 'handrail.openai-agents/1';

/**
 * A run waiting for people: the SDK's `state.toString()` and the Handrail question behind each
 * interruption (with the call id it is about). Store it anywhere; resume it in any process.
 *
 * @example
 * await writeFile('paused.json', JSON.stringify(guard.pause(result)));
 */
export interface PausedRun {
  format: typeof pausedRunFormat;
  /** `result.state.toString()`. */
  state: string;
  /** One question per interruption the policy raised, by the call id it is about. */
  questions: Array<{ callId: string; pending: PendingQuestion }>;
}

/**
 * What a resumed run does next: run the agent again with `state`, or end with `reason` (a
 * person's edit the policy stopped, a rejection that ends the run, an unanswered question whose
 * rule says stop). `verdicts` are by call id.
 *
 * @example
 * const next = await guard.resume(agent, paused, { call_1: { kind: 'approve', by: 'ana', at } });
 * if (next.kind === 'run') result = await run(agent, next.state);
 */
export type Resumed<TAgent extends Agent<any, any>> =
  | { kind: 'run'; state: RunState<any, TAgent>; verdicts: Record<string, Verdict> }
  | { kind: 'stop'; reason: string; verdicts: Record<string, Verdict> }
  | { kind: 'paused'; paused: PausedRun; verdicts: Record<string, Verdict> };

function callIdOf(item: RunToolApprovalItem): string | undefined {
  const raw = item.rawItem as { callId?: unknown };
  return typeof raw.callId === 'string' ? raw.callId : undefined;
}

export function pauseRun(book: PauseBook, result: RunResult<any, any> | StreamedRunResult<any, any>): PausedRun {
  const questions = result.interruptions.flatMap((item) => {
    const callId = callIdOf(item);
    const pending = callId !== undefined ? book.pending.get(callId) : undefined;
    return callId !== undefined && pending ? [{ callId, pending }] : [];
  });
  return { format: pausedRunFormat, state: result.state.toString(), questions };
}

export async function resumeRun<TAgent extends Agent<any, any>>(book: PauseBook, agent: TAgent, paused: PausedRun, answers: Readonly<Record<string, ApprovalAnswer>>): Promise<Resumed<TAgent>> {
  if (paused?.format !== pausedRunFormat) throw new ConfigurationError(`a paused run must have format ${pausedRunFormat}, not ${JSON.stringify(paused?.format)}`);
  const state = await RunState.fromString<any, TAgent>(agent, paused.state);
  const items = new Map(state.getInterruptions().flatMap((item) => (callIdOf(item) !== undefined ? [[callIdOf(item)!, item] as const] : [])));
  const supervisor = await book.supervisor();
  const verdicts: Record<string, Verdict> = {};
  const settled: Array<[RunToolApprovalItem, string, Verdict]> = [];
  for (const { callId, pending } of paused.questions) {
    const item = items.get(callId);
    if (!item) throw new ConfigurationError(`the paused run has no interruption for call ${callId}`);
    const answer = answers[callId] ?? answers[pending.request.id] ?? (await book.store?.getApproval(pending.request.id))?.answer?.answer;
    if (!answer) throw new ConfigurationError(`nobody has answered question ${pending.request.id} (call ${callId}) yet`);
    const verdict = await supervisor.resume(pending, answer);
    verdicts[callId] = verdict;
    settled.push([item, callId, verdict]);
  }
  // A stop on any call ends the run: none of the paused calls runs.
  const stop = settled.find(([, , verdict]) => verdict.kind === 'stop');
  if (stop?.[2].kind === 'stop') return { kind: 'stop', reason: stop[2].reason, verdicts };
  // An edit the policy escalates again is a new question: the run stays paused, on the new
  // question for that call and on the answered ones (their answers are in the store) for the rest.
  if (settled.some(([, , verdict]) => verdict.kind === 'suspended')) {
    const questions = paused.questions.map(({ callId, pending }) => {
      const verdict = verdicts[callId]!;
      return { callId, pending: verdict.kind === 'suspended' ? verdict.pending : pending };
    });
    for (const { callId, pending } of questions) book.pending.set(callId, pending);
    return { kind: 'paused', paused: { ...paused, questions }, verdicts };
  }
  // The SDK runs whatever state it is given, as often as it is given it: the store lets one
  // resume of these questions through, and refuses the same state again before anything runs.
  if (book.store) {
    for (const { callId, pending } of paused.questions) {
      if (!(await claimResume(book.store, pending.request.id)))
        throw new DurableRunError('ALREADY_RESUMED', `question ${pending.request.id} (call ${callId}) was resumed already, or another process is resuming it: a paused run is resumed once`);
    }
  }
  for (const [item, callId, verdict] of settled) {
    book.pending.delete(callId);
    if (verdict.kind === 'proceed') {
      book.verdicts.set(callId, verdict);
      state.approve(item);
    } else if (verdict.kind === 'reject') state.reject(item, { message: verdict.toModel });
    else if (verdict.kind === 'reply') state.reject(item, { message: verdict.text === '' ? noAnswerOutput : verdict.text });
  }
  return { kind: 'run', state, verdicts };
}
