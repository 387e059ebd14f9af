// The OpenAI Agents SDK (0.14.3) guarded by a policy, through the real `openai` client against
// the local scripted OpenAI-compatible server: answers in process through a Handrail channel,
// the SDK's interruptions resumed from plain JSON (in this process and in another), streaming.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '@openai/agents';
import { FileRunStore, MemoryRunStore, type ApprovalAnswer, type ApprovalChannel, type ApprovalRequest, type Verdict } from '@handrail/core';
import { compilePolicy } from '@handrail/policy';
import { startOpenAIServer, type OpenAIServer, type ScriptedReply } from '@handrail/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgentsGuard, stopOf, type AgentsGuardOptions, type PausedRun } from '@handrail/adapters/openai-agents';
import { clerk, policy } from './fixtures/agents-desk.js';
import { person, type Answer } from './fixtures/person.js';

const at = () => new Date().toISOString();

let servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function desk(script: ScriptedReply[], options: Omit<AgentsGuardOptions, 'policy'>) {
  const server = await startOpenAIServer(script);
  servers.push(server);
  const guard = createAgentsGuard({ policy, sender: 'clerk', ...options });
  return { server, guard, ...clerk(guard, server.baseURL) };
}

/** What the model was sent as tool results in its request number `index`. */
function toolResults(server: OpenAIServer, index: number) {
  return server.requests[index]!.messages.filter((message) => message.role === 'tool').map((message) => message.content);
}

const large: ScriptedReply[] = [{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, 'Refund handled.'];

describe('answered in process through a Handrail channel', () => {
  it('runs a small refund without asking anyone', async () => {
    const approvals = person([], 'desk');
    const { agent, ran, guard } = await desk([{ toolCalls: [{ name: 'refund', arguments: { amount: 40 } }] }, 'Refunded 40.'], { channel: approvals });
    const result = await run(agent, 'Refund order 42.');
    expect(result.finalOutput).toBe('Refunded 40.');
    expect(ran).toEqual([['refund', { amount: 40 }]]);
    expect(approvals.asked).toEqual([]);
    expect((await guard.supervisor()).autoReplies('clerk')).toBe(2);
  });

  it('asks before a large refund and runs it once approved', async () => {
    const approvals = person([{ kind: 'approve', by: 'dana' }], 'desk');
    const { agent, ran, server } = await desk(large, { channel: approvals });
    const result = await run(agent, 'Refund order 42.');
    expect(result.finalOutput).toBe('Refund handled.');
    expect(result.interruptions).toEqual([]);
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    expect(approvals.asked[0]).toMatchObject({ prompt: 'clerk wants to refund more than 100. Approve?', tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' } });
    expect(toolResults(server, 1)).toEqual(['refunded 250']);
  });

  it('never runs a refused call, and tells the model not to retry it', async () => {
    const { agent, ran, server } = await desk(large, { channel: person([{ kind: 'reject', message: 'customer is not eligible' }], 'desk') });
    await run(agent, 'Refund order 42.');
    expect(ran).toEqual([]);
    expect(toolResults(server, 1)).toEqual(['Refused by a person: customer is not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.']);
  });

  it("gives the model a person's reply as the call's result, without running it", async () => {
    const { agent, ran, server } = await desk(large, { channel: person([{ kind: 'reply', text: 'Refund 100 now, the rest next week.' }], 'desk') });
    await run(agent, 'Refund order 42.');
    expect(ran).toEqual([]);
    expect(toolResults(server, 1)).toEqual(['Refund 100 now, the rest next week.']);
  });

  it('runs an edited call with the arguments the person gave, decided again by the policy', async () => {
    const approvals = person([{ kind: 'edit', args: { amount: 90 } }], 'desk');
    const { agent, ran, server } = await desk(large, { channel: approvals });
    await run(agent, 'Refund order 42.');
    expect(ran).toEqual([['refund', { amount: 90 }]]);
    expect(toolResults(server, 1)).toEqual(['refunded 90']);
    expect(approvals.asked).toHaveLength(1);
  });

  it('ends the run when the policy stops an edited call, and runs nothing', async () => {
    const { agent, ran, server } = await desk(large, { channel: person([{ kind: 'edit', args: { amount: 5000 } }], 'desk') });
    const error = await run(agent, 'Refund order 42.').catch((caught: unknown) => caught);
    expect(stopOf(error)?.reason).toBe('the edited call was stopped: refunds over 1000 are never made');
    expect(ran).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('ends the run on a stop, without running the call', async () => {
    const { agent, ran, server } = await desk([{ toolCalls: [{ name: 'delete_account', arguments: {} }] }, 'never asked'], { channel: person([], 'desk') });
    const error = await run(agent, 'Close the account.').catch((caught: unknown) => caught);
    expect(stopOf(error)).toMatchObject({ handrail: 'stop', reason: 'accounts are never deleted', verdict: { kind: 'stop', decision: { rule: 'forbidden' } } });
    expect(ran).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('stops when nobody answers in time, as the rule says', async () => {
    const { agent, ran } = await desk(large, { channel: person(['never'], 'desk') });
    const error = await run(agent, 'Refund order 42.').catch((caught: unknown) => caught);
    expect(stopOf(error)?.reason).toBe('large refund; nobody answered');
    expect(ran).toEqual([]);
  });

  it('stops, never proceeds, when there is nobody to ask', async () => {
    const { agent, ran } = await desk(large, {});
    const error = await run(agent, 'Refund order 42.').catch((caught: unknown) => caught);
    expect(stopOf(error)?.reason).toBe('large refund; no channel (default) to ask a person');
    expect(ran).toEqual([]);
  });

  it('decides the final message: a stop ends the run with the tripwire', async () => {
    const { agent } = await desk(['All done. TERMINATE'], { channel: person([], 'desk') });
    const error = await run(agent, 'Refund order 42.').catch((caught: unknown) => caught);
    expect(stopOf(error)?.reason).toBe('the clerk ended the conversation');
  });

  it('in shadow mode decides and reports, and every call runs', async () => {
    const seen: Array<[string, boolean]> = [];
    const { agent, ran } = await desk([{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, { toolCalls: [{ name: 'delete_account', arguments: {} }] }, 'Done.'], {
      shadow: true,
      onVerdict: (verdict) => seen.push([verdict.decision.action, verdict.kind === 'proceed' && verdict.enforced]),
    });
    const result = await run(agent, 'Refund and close.');
    expect(result.finalOutput).toBe('Done.');
    expect(ran).toEqual([
      ['refund', { amount: 250 }],
      ['delete_account', {}],
    ]);
    expect(seen).toEqual([
      ['escalate', false],
      ['stop', false],
      ['continue', false],
    ]);
  });

  it('works the same on a streamed run', async () => {
    const approvals = person([{ kind: 'edit', args: { amount: 90 } }], 'desk');
    const { agent, ran, server } = await desk(large, { channel: approvals });
    const stream = await run(agent, 'Refund order 42.', { stream: true });
    for await (const event of stream) void event;
    await stream.completed;
    expect(stream.finalOutput).toBe('Refund handled.');
    expect(ran).toEqual([['refund', { amount: 90 }]]);
    expect(toolResults(server, 1)).toEqual(['refunded 90']);
  });
});

describe("the policy's limit as the SDK's maxTurns", () => {
  const limited = compilePolicy(`policy refunds version 2
max auto_replies 2
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" else stop`);
  const refunds: ScriptedReply[] = [10, 20, 30].map((amount) => ({ toolCalls: [{ name: 'refund', arguments: { amount } }] }));

  it("runs at most the policy's max auto_replies turns, and the SDK's MaxTurnsExceededError is the policy's stop with the limit as its reason", async () => {
    const server = await startOpenAIServer([...refunds, 'Done.']);
    servers.push(server);
    const verdicts: Verdict[] = [];
    const guard = createAgentsGuard({ policy: limited, sender: 'clerk', channel: person([]), onVerdict: (verdict) => verdicts.push(verdict) });
    const { agent, ran } = clerk(guard, server.baseURL);
    expect(guard.maxTurns).toBe(2);
    const error = await run(agent, 'Refund the three orders.', { maxTurns: guard.maxTurns }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(Error);
    expect(ran).toEqual([
      ['refund', { amount: 10 }],
      ['refund', { amount: 20 }],
    ]);
    expect(server.requests).toHaveLength(2);
    expect(stopOf(error)).toBeUndefined();
    const stop = guard.stopOf(error);
    expect(stop).toMatchObject({ handrail: 'stop', reason: "the run reached its limit of 2 turns (the policy's max auto_replies)", verdict: { kind: 'stop', decision: { action: 'stop', rule: null, policy: { name: 'refunds', version: '2' } } } });
    expect(verdicts.at(-1)).toBe(stop!.verdict);
  });

  it("leaves the SDK's own limit when the policy states none, and still reads its error as a stop", async () => {
    const server = await startOpenAIServer([...refunds, 'Done.']);
    servers.push(server);
    const guard = createAgentsGuard({ policy, sender: 'clerk', channel: person([]) });
    const { agent, ran } = clerk(guard, server.baseURL);
    expect(guard.maxTurns).toBeUndefined();
    const error = await run(agent, 'Refund the three orders.', { maxTurns: 1 }).catch((failure: unknown) => failure);
    expect(ran).toEqual([['refund', { amount: 10 }]]);
    expect(guard.stopOf(error)?.reason).toBe('the run reached its limit of 1 turn');
    expect(guard.stopOf(new Error('network down'))).toBeUndefined();
  });
});

describe("the SDK's interruptions, resumed from plain JSON", () => {
  it('pauses on a large refund, and runs it once after the approval', async () => {
    const store = new MemoryRunStore();
    const { agent, ran, guard, server } = await desk(large, { store });
    const first = await run(agent, 'Refund order 42.');
    expect(first.interruptions.map((item) => item.name)).toEqual(['refund']);
    expect(ran).toEqual([]);
    const paused: PausedRun = JSON.parse(JSON.stringify(guard.pause(first)));
    expect(paused.questions).toMatchObject([{ callId: 'call_1', pending: { format: 'handrail.pending/1', request: { tool: { name: 'refund', args: { amount: 250 }, callId: 'call_1' } } } }]);
    expect(await store.listPendingApprovals()).toHaveLength(1);

    const next = await guard.resume(agent, paused, { call_1: { kind: 'approve', by: 'ana', at: at() } });
    if (next.kind !== 'run') throw new Error(`expected to run on, not ${next.kind}`);
    const result = await run(agent, next.state);
    expect(result.finalOutput).toBe('Refund handled.');
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    expect(toolResults(server, 1)).toEqual(['refunded 250']);
    expect(await store.listPendingApprovals()).toEqual([]);
  });

  it("gives the SDK's rejection the text the model reads: a refusal or a person's reply", async () => {
    for (const [answer, text] of [
      [{ kind: 'reject', message: 'not eligible', at: at() }, 'Refused by a person: not eligible. Do not call refund again with the same arguments; go on without it, or ask the user what to do instead.'],
      [{ kind: 'reply', text: 'Only 100 today.', at: at() }, 'Only 100 today.'],
    ] as const) {
      const { agent, ran, guard, server } = await desk(large, { store: new MemoryRunStore() });
      const paused = guard.pause(await run(agent, 'Refund order 42.'));
      const next = await guard.resume(agent, paused, { call_1: answer });
      if (next.kind !== 'run') throw new Error(`expected to run on, not ${next.kind}`);
      await run(agent, next.state);
      expect(ran).toEqual([]);
      expect(toolResults(server, 1)).toEqual([text]);
    }
  });

  it('runs an edit with the edited arguments; an edit the policy stops ends the run', async () => {
    const edited = await desk(large, { store: new MemoryRunStore() });
    const next = await edited.guard.resume(edited.agent, edited.guard.pause(await run(edited.agent, 'Refund order 42.')), { call_1: { kind: 'edit', args: { amount: 90 }, at: at() } });
    if (next.kind !== 'run') throw new Error(`expected to run on, not ${next.kind}`);
    await run(edited.agent, next.state);
    expect(edited.ran).toEqual([['refund', { amount: 90 }]]);

    const stopped = await desk(large, { store: new MemoryRunStore() });
    const end = await stopped.guard.resume(stopped.agent, stopped.guard.pause(await run(stopped.agent, 'Refund order 42.')), { call_1: { kind: 'edit', args: { amount: 5000 }, at: at() } });
    expect(end).toMatchObject({ kind: 'stop', reason: 'the edited call was stopped: refunds over 1000 are never made' });
    expect(stopped.ran).toEqual([]);
  });

  it('a streamed run pauses the same way', async () => {
    const { agent, ran, guard } = await desk(large, { store: new MemoryRunStore() });
    const stream = await run(agent, 'Refund order 42.', { stream: true });
    for await (const event of stream) void event;
    await stream.completed;
    const paused = guard.pause(stream);
    expect(paused.questions.map((question) => question.callId)).toEqual(['call_1']);
    const next = await guard.resume(agent, paused, { call_1: { kind: 'approve', at: at() } });
    if (next.kind !== 'run') throw new Error(`expected to run on, not ${next.kind}`);
    const resumed = await run(agent, next.state, { stream: true });
    for await (const event of resumed) void event;
    await resumed.completed;
    expect(resumed.finalOutput).toBe('Refund handled.');
    expect(ran).toEqual([['refund', { amount: 250 }]]);
  });

  it('refuses to resume before anyone answered, and an approval around the policy does not run the call', async () => {
    const { agent, ran, guard } = await desk(large, { store: new MemoryRunStore() });
    const first = await run(agent, 'Refund order 42.');
    const paused = guard.pause(first);
    await expect(guard.resume(agent, paused)).rejects.toThrow(/nobody has answered question .* \(call call_1\) yet/);
    // The SDK's own approve, bypassing the guard: the guardrail decides the call again.
    first.state.approve(first.interruptions[0]!);
    const error = await run(agent, first.state).catch((caught: unknown) => caught);
    expect(stopOf(error)?.reason).toMatch(/^large refund; the call was approved around the policy/);
    expect(ran).toEqual([]);
  });
});

describe('a paused run resumed by another process', () => {
  const fixture = fileURLToPath(new URL('./fixtures/agents-resume.ts', import.meta.url));
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'handrail-agents-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function resumeElsewhere(baseURL: string, input: unknown): Promise<Record<string, unknown>> {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@handrail/source', fixture, join(dir, 'store'), baseURL], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(JSON.stringify(input));
    return new Promise((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Record<string, unknown>) : reject(new Error(`exit ${code}: ${stderr}`)))),
    );
  }

  it('takes state.toString() with the question and the answer, and runs the approved call there, once', { timeout: 60_000 }, async () => {
    const store = new FileRunStore(join(dir, 'store'));
    const { agent, ran, guard, server } = await desk(large, { store });
    const paused = guard.pause(await run(agent, 'Refund order 42.'));
    await guard.close();
    expect(ran).toEqual([]);

    const answer: ApprovalAnswer = { kind: 'approve', by: 'ana', at: at() };
    expect(await resumeElsewhere(server.baseURL, { paused, answers: { call_1: answer } })).toEqual({ kind: 'finished', final: 'Refund handled.', interruptions: 0, ran: [['refund', { amount: 250 }]] });
    expect(ran).toEqual([]);
    expect(toolResults(server, 1)).toEqual(['refunded 250']);
    // The store kept the answer: the question is answered for every process.
    expect((await store.getApproval(paused.questions[0]!.pending.request.id))?.answer?.answer).toMatchObject({ kind: 'approve', by: 'ana' });
  });
});
