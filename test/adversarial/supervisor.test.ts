// The supervisor attacked through what a person, a framework or a forged message hands it: an
// approver's edit that tries to slip past the policy (amount raised, another call named, a
// number turned to text, prototype-named keys), and a resume with a forged or unknown pending
// question, a second and different answer, or after the run finished. Each fails closed, and a
// tool run as a step of the run runs at most once. HANDRAIL_FUZZ_RUNS scales the generated cases.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, type Turn } from '@handrail/policy';
import { AssistantAgent, createSupervisor, DurableRun, MemoryRunStore, ScriptedChannel, UserProxyAgent, type ApprovalAnswer, type PendingQuestion, type Verdict } from '../../packages/core/src/index.js';
import { ScriptedIO, ScriptedModel } from '../../packages/core/src/testing/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const policy = compilePolicy(`policy refunds
rule wipe:  when tool.name == "wipe" then stop "wiping is never allowed"
rule huge:  when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are not allowed"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 10s else stop
rule done:  when content == "TERMINATE" then stop "finished"
default continue`);

const at = () => new Date().toISOString();
const refund = (amount: unknown): Turn => ({ content: null, role: 'assistant', sender: 'clerk', tool: { name: 'refund', args: { amount } } });

/** The amount a tool reads from the arguments it is given, as ordinary code reads it. */
const amountRead = (args: unknown): unknown => (args !== null && typeof args === 'object' ? (args as { amount?: unknown }).amount : typeof args === 'string' ? (JSON.parse(args) as { amount?: unknown }).amount : undefined);

/** Whether a verdict lets a refund over 1000 run, as the tool would read its arguments. */
function slipsThrough(verdict: Verdict, proposed: unknown): boolean {
  if (verdict.kind !== 'proceed') return false;
  const read = Number(amountRead(verdict.args ?? { amount: proposed }));
  return !(read <= 1000);
}

/** Edits of a refund of 250 that a careless check would let through as more than 1000. */
const hostileEdits: Array<[string, unknown]> = [
  ['the amount raised', { amount: 5000 }],
  ['the amount as a numeric string', { amount: '5000' }],
  ['the amount as an exponent string', { amount: '5e3' }],
  ['the arguments as JSON text', '{"amount":5000}'],
  ['the amount under __proto__', JSON.parse('{"__proto__":{"amount":5000},"amount":5000}')],
  ['a constructor key beside the amount', JSON.parse('{"constructor":{"amount":1},"amount":5000}')],
  ['a toString key beside the amount', JSON.parse('{"toString":"x","amount":5000}')],
];

/** Numbers over 1000 as a hostile approver writes them. */
const bigAmount = fc.oneof(
  fc.integer({ min: 1001, max: 1e9 }),
  fc.integer({ min: 1001, max: 1e9 }).map(String),
  fc.integer({ min: 2, max: 9 }).map((digit) => `${digit}e3`),
  fc.integer({ min: 1001, max: 1e6 }).map((n) => `${n}.0`),
);

describe('an approver’s edit cannot slip past the policy', () => {
  it.each(hostileEdits)('through a supervisor: %s', async (_name, args) => {
    const verdict = await createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'edit', args }, { kind: 'approve' }]) }).check(refund(250));
    expect(slipsThrough(verdict, 250)).toBe(false);
  });

  it.each(hostileEdits)('through the bundled agents: %s', async (_name, args) => {
    const ran: unknown[] = [];
    const io = new ScriptedIO();
    const assistant = new AssistantAgent('assistant', { model: new ScriptedModel([{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, 'TERMINATE']), io });
    const user = new UserProxyAgent('user', {
      policy,
      io,
      codeExecutionConfig: false,
      approvalChannel: new ScriptedChannel([{ kind: 'edit', args }, { kind: 'approve' }]),
      functionMap: { refund: (given) => (ran.push(given.amount), 'refunded') },
    });
    await user.initiateChat(assistant, { message: 'Refund order A-7.' });
    expect(ran.filter((amount) => !(Number(amount) <= 1000))).toEqual([]);
  });

  it('generated amounts over 1000, as numbers and as text, never proceed', async () => {
    await fc.assert(
      fc.asyncProperty(bigAmount, fc.boolean(), async (amount, asText) => {
        const args = asText ? JSON.stringify({ amount }) : { amount };
        const verdict = await createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'edit', args }, { kind: 'approve' }]) }).check(refund(250));
        expect(slipsThrough(verdict, 250)).toBe(false);
      }),
      { numRuns: fuzzRuns(60) },
    );
  });

  it('an edit naming a call the step does not have stops the step', async () => {
    const verdict = await createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'edit', args: { amount: 50 }, callId: 'call_forged' }]) }).check(refund(250), { tools: [{ name: 'refund', args: { amount: 250 }, callId: 'call_1' }] });
    expect(verdict).toMatchObject({ kind: 'stop', reason: expect.stringContaining('the edit names no tool call of this step') });
  });

  it('an edit cannot rename the tool: the edited call keeps the name the model gave, and a call the policy stops stays stopped', async () => {
    // The step proposes two calls; the escalated refund's edit aims at the other call's id.
    const turn: Turn = { content: null, role: 'assistant', sender: 'clerk', toolCalls: [{ name: 'refund', args: '{"amount":250}' }, { name: 'lookup', args: '{"id":"42"}' }] };
    const tools = [{ name: 'refund', args: { amount: 250 }, callId: 'call_1' }, { name: 'lookup', args: { id: '42' }, callId: 'call_2' }];
    const verdict = await createSupervisor({ policy, channel: new ScriptedChannel([{ kind: 'edit', args: { amount: 5000, name: 'wipe' }, callId: 'call_2' }]) }).check(turn, { tools });
    // The refund of 250 is still in the step: the policy asks about it again, and nobody answers.
    expect(verdict.kind).not.toBe('proceed');
  });
});

/** A run suspended on the question about a refund of 250, with its supervisor. */
async function suspended(store = new MemoryRunStore(), runId = `run-${randomUUID()}`) {
  const run = await DurableRun.open(store, runId);
  const supervisor = createSupervisor({ policy, run, wait: 'suspend', name: 'proxy' });
  const verdict = await supervisor.check(refund(250));
  if (verdict.kind !== 'suspended') throw new Error(`expected a suspended verdict, not ${verdict.kind}`);
  return { run, supervisor, pending: verdict.pending, store };
}

const answers: Record<string, ApprovalAnswer> = {
  approve: { kind: 'approve', at: at() },
  reject: { kind: 'reject', message: 'no', at: at() },
  edit: { kind: 'edit', args: { amount: 90 }, at: at() },
};

describe('resume fails closed', () => {
  it('a pending question with an unknown id is refused', async () => {
    const { supervisor, pending, run } = await suspended();
    const forged: PendingQuestion = { ...pending, request: { ...pending.request, id: randomUUID() } };
    await expect(supervisor.resume(forged, answers.approve!)).rejects.toThrow(/no question/);
    await run.close();
  });

  it('a pending question whose turn was changed (another tool, other arguments) is refused', async () => {
    const { supervisor, pending, run } = await suspended();
    const renamed: PendingQuestion = { ...pending, turn: { ...pending.turn, tool: { name: 'lookup', args: { amount: 250 } } } };
    await expect(supervisor.resume(renamed, { kind: 'edit', args: { amount: 5000 }, at: at() })).rejects.toThrow(/does not match/);
    const smaller: PendingQuestion = { ...pending, turn: { ...pending.turn, tool: { name: 'refund', args: { amount: 40 } } } };
    await expect(supervisor.resume(smaller, answers.approve!)).rejects.toThrow(/does not match/);
    const lenient: PendingQuestion = { ...pending, decision: { ...pending.decision, onNoInput: 'continue' } };
    await expect(supervisor.resume(lenient, answers.approve!)).rejects.toThrow(/does not match/);
    const request: PendingQuestion = { ...pending, request: { ...pending.request, decision: { ...pending.request.decision, onReject: 'refuse', onNoInput: 'continue' } } };
    await expect(supervisor.resume(request, answers.approve!)).rejects.toThrow(/does not match/);
    await run.close();
  });

  it('a pending question moved to another run (its run id, or its request’s, changed) is refused', async () => {
    const first = await suspended();
    const second = await suspended(first.store);
    await expect(second.supervisor.resume({ ...first.pending, runId: second.pending.runId }, answers.approve!)).rejects.toThrow(/does not match/);
    await expect(second.supervisor.resume({ ...first.pending, runId: second.pending.runId, request: { ...first.pending.request, runId: second.pending.runId } }, answers.approve!)).rejects.toThrow(/does not match/);
    await first.run.close();
    await second.run.close();
  });

  it.each(Object.entries(answers))('a second resume with a different answer gives the first verdict; the tool runs once (first: %s)', async (_first, firstAnswer) => {
    const { supervisor, pending, run } = await suspended();
    const ran: unknown[] = [];
    const act = async (verdict: Verdict) => {
      if (verdict.kind === 'proceed') await run.step('tool:refund', () => ran.push(amountRead(verdict.args ?? { amount: 250 })));
    };
    const first = await supervisor.resume(pending, firstAnswer);
    await act(first);
    for (const other of Object.values(answers).filter((answer) => answer !== firstAnswer)) {
      const again = await supervisor.resume(pending, other);
      expect(again.kind).toBe(first.kind);
      expect(again.kind === 'proceed' ? again.args : undefined).toEqual(first.kind === 'proceed' ? first.args : undefined);
      await act(again).catch(() => undefined);
    }
    expect(ran.length).toBeLessThanOrEqual(1);
    await run.close();
  });

  it('a resume after the run finished is refused, and nothing runs', async () => {
    const { supervisor, pending, run } = await suspended();
    const ran: unknown[] = [];
    const first = await supervisor.resume(pending, answers.approve!);
    if (first.kind === 'proceed') await run.step('tool:refund', () => ran.push(250));
    await run.finish();
    await expect(supervisor.resume(pending, answers.approve!)).rejects.toThrow(/finished/);
    await expect(run.step('tool:refund#again', () => ran.push(250))).rejects.toThrow(/finished/);
    expect(ran).toEqual([250]);
  });

  it('generated forgeries of the pending question are refused, never resumed', async () => {
    const { supervisor, pending, run } = await suspended();
    const forgery = fc.oneof(
      fc.record({ amount: bigAmount }).map((args) => ({ ...pending, turn: { ...pending.turn, tool: { name: 'refund', args } } })),
      fc.string({ maxLength: 20 }).map((name) => ({ ...pending, turn: { ...pending.turn, tool: { name, args: { amount: 250 } } } })),
      fc.uuid().map((id) => ({ ...pending, request: { ...pending.request, id } })),
      fc.constantFrom('continue', 'reply').map((onNoInput) => ({ ...pending, decision: { ...pending.decision, onNoInput: onNoInput as 'continue' } })),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async (forged) => {
        fc.pre(JSON.stringify(forged) !== JSON.stringify(pending));
        await expect(supervisor.resume(forged as PendingQuestion, answers.approve!)).rejects.toThrow();
      }),
      { numRuns: fuzzRuns(40) },
    );
    await run.close();
  });
});
