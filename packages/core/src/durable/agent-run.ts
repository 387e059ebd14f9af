// How the bundled agents take part in a durable run: model replies, tool calls and code runs
// are steps; decisions are journaled and audited; questions to people are durable approvals.
// Outside a run each helper simply does the thing.
import { randomUUID } from 'node:crypto';
import { ConfigurationError, type Policy } from '@handrail/policy';
import type { Agent } from '../agents/agent.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApprovalChannel } from '../channels/approval.js';
import { DurableRun } from './durable-run.js';
import type { StepKind } from './journal-record.js';
import { typedAnswer } from './typed-answer.js';
import { MemoryRunStore } from './memory-run-store.js';

/**
 * Runs `fn` as the next step `prefix#N` of `run`, or just runs it outside a run. Model calls
 * are idempotent (asked again after a crash); tool calls and code runs are not. `input` is what
 * the step is given, so that a replay on another path is refused rather than answered wrongly.
 */
export function stepInRun<T>(run: DurableRun | undefined, prefix: string, kind: StepKind, input: unknown, fn: () => Promise<T>): Promise<T> {
  if (!run) return fn();
  return run.step(run.nextKey(prefix), fn, { kind, idempotent: kind === 'model', input });
}

/**
 * Asks a typed question that is no step's decision (the first message, a speaker to choose) as a
 * durable approval of the run: the io is the channel, its text the reply; an answer may also
 * come through the store.
 */
export async function askInRun(
  run: DurableRun,
  question: { agent: string; sender: string | null; prompt: string; channel?: string; policy: Policy },
  input: (signal: AbortSignal) => Promise<string>,
): Promise<{ answer: string; timedOut: boolean }> {
  const { policy } = question;
  const io: ApprovalChannel = {
    name: question.channel ?? 'io',
    ask: async (_request, { signal }) => ({ kind: 'reply', text: await input(signal), at: new Date().toISOString() }),
  };
  const answer = await run.awaitApproval(
    {
      agent: question.agent,
      ...(question.sender !== null ? { sender: question.sender } : {}),
      prompt: question.prompt,
      decision: {
        rule: null,
        reason: 'a question to a person',
        onNoInput: 'reply',
        policy: { name: policy.name, ...(policy.version !== undefined ? { version: policy.version } : {}), hash: policy.hash },
        ...(question.channel !== undefined ? { channel: question.channel } : {}),
      },
    },
    { channel: io, key: run.nextKey(`ask:${question.agent}`) },
  );
  return typedAnswer(answer);
}

/**
 * The run a chat takes part in: the one given, or, for a chat that is only audited, a run in
 * memory writing to the audit log (finished with the chat).
 */
export async function chatRun(options: { durable?: DurableRun; audit?: AuditLog }, recipient: Agent): Promise<{ run: DurableRun | undefined; finish: () => Promise<void> }> {
  const { durable, audit } = options;
  if (!durable && !audit) return { run: undefined, finish: async () => undefined };
  if ('groupChat' in recipient) throw new ConfigurationError(`durable and audited chats are two-agent chats for now; ${recipient.name} runs a group chat`);
  if (durable) {
    if (audit && durable.audit !== audit) throw new ConfigurationError('a durable chat audits to its run\'s log: give the audit log to DurableRun.open, not to initiateChat');
    return { run: durable, finish: async () => undefined };
  }
  const run = await DurableRun.open(new MemoryRunStore(), randomUUID(), { audit: audit! });
  return { run, finish: () => run.finish() };
}
