// A pending question comes back from outside (a framework's pause state, a queue, a file): it is
// believed only where it agrees with itself and with the question the run asked. Otherwise an
// edited copy could resume another tool, other arguments or a gentler `else` than the one asked.
import { ConfigurationError, type Turn } from '@handrail/policy';
import { canonical } from '../channels/answers.js';
import type { ApprovalRequest } from '../channels/approval.js';
import { DurableRunError } from '../durable/durable-run-error.js';
import type { DurableRun } from '../durable/durable-run.js';
import { pendingQuestionFormat, type PendingQuestion } from './verdict.js';

function mismatch(what: string): ConfigurationError {
  return new ConfigurationError(`the pending question does not match ${what}: it is refused, not resumed`);
}

/** Arguments compared as the policy reads them: JSON text as its value. */
function argsValue(args: unknown): string {
  if (typeof args === 'string') {
    try {
      return canonical(JSON.parse(args));
    } catch {
      return canonical(args);
    }
  }
  return canonical(args);
}

function sameCalls(turn: Turn, request: ApprovalRequest): boolean {
  const calls = turn.tool ? [turn.tool] : (turn.toolCalls ?? []);
  const asked = request.tools ?? (request.tool ? [request.tool] : []);
  return calls.length === asked.length && calls.every((call, index) => call.name === asked[index]!.name && argsValue(call.args) === argsValue(asked[index]!.args));
}

/**
 * Throws unless `pending` is a question in the run's store exactly as it was asked: its turn's
 * calls and its decision are the question's, its request the one in the store (the one journaled
 * under its key, when it is this run's), and the run has not finished. Without a run, only the
 * pending question's own parts are compared.
 */
export async function checkPending(pending: PendingQuestion, run: DurableRun | undefined): Promise<void> {
  if (pending?.format !== pendingQuestionFormat) throw new ConfigurationError(`a pending question must have format ${pendingQuestionFormat}, not ${JSON.stringify(pending?.format)}`);
  const { request, decision, turn } = pending;
  if (typeof request !== 'object' || request === null || typeof turn !== 'object' || turn === null || decision?.action !== 'escalate') throw mismatch('the shape of a question');
  const asked = request.decision;
  const same = (a: unknown, b: unknown) => canonical(a ?? null) === canonical(b ?? null);
  if (!same(asked?.rule, decision.rule) || !same(asked?.reason, decision.reason) || !same(asked?.onNoInput, decision.onNoInput) || !same(asked?.channel, decision.channel) || !same(asked?.timeoutMs, decision.timeoutMs))
    throw mismatch('its own decision');
  if (!sameCalls(turn, request)) throw mismatch('the tool calls it asked about');
  if (pending.runId !== request.runId) throw mismatch('the run its question names');
  if (!run) return;
  if (run.status === 'finished') throw new DurableRunError('RUN_FINISHED', `run ${run.runId} has finished: its questions cannot be resumed`);
  // The store is the truth about what was asked; a framework that keeps its own pause state may
  // resume a question of its run from a run of its own on the same store.
  const stored = await run.store.getApproval(request.id);
  if (!stored) throw new ConfigurationError(`the run's store has no question ${request.id}`);
  if (canonical(stored.request) !== canonical(request)) throw mismatch('the question the run asked');
  const recorded = pending.runId === run.runId ? run.recordedRequest(pending.key) : undefined;
  if (recorded && recorded.id !== request.id) throw mismatch('the question the run journaled under its key');
}
