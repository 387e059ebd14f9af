// A paused state a framework holds (the Agents SDK's RunState, the AI SDK's history) handed to
// resume twice: by two workers at once, or again later. The store lets one resume through; the
// other is refused before anything runs, and each approved call runs once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@openai/agents';
import { generateText, jsonSchema, stepCountIs, tool, type ModelMessage } from 'ai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { claimResume, DurableRun, FileRunStore, MemoryRunStore, type RunStore } from '../../packages/core/src/index.js';
import { startOpenAIServer, type OpenAIServer } from '../../packages/core/src/testing/index.js';
import { createAgentsGuard } from '../../packages/adapters/src/openai-agents/index.js';
import { createAiSdkGuard } from '../../packages/adapters/src/ai-sdk/index.js';
import { clerk, policy as agentsPolicy } from '../../packages/adapters/test/fixtures/agents-desk.js';
import { scriptedModel } from '../../packages/adapters/test/fixtures/ai-sdk-model.js';

const at = () => new Date().toISOString();
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
/** A file store, as two worker processes share one. */
function fileStore(): FileRunStore {
  const dir = mkdtempSync(join(tmpdir(), 'handrail-resume-twice-'));
  dirs.push(dir);
  return new FileRunStore(dir);
}

describe('claimResume', () => {
  it.each([
    ['a memory store', () => new MemoryRunStore()],
    ['a file store', fileStore],
  ] as Array<[string, () => RunStore]>)('gives a question one resume on %s, also to claims made at once', async (_name, makeStore) => {
    const store = makeStore();
    const together = await Promise.all(Array.from({ length: 8 }, () => claimResume(store, 'question-1')));
    expect(together.filter(Boolean)).toHaveLength(1);
    expect(await claimResume(store, 'question-1')).toBe(false);
    expect(await claimResume(store, 'question-2')).toBe(true);
  });
});

describe('the Agents SDK: one RunState resumed twice', () => {
  let servers: OpenAIServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });

  it('runs the approved call once; the second resume is refused before anything runs', async () => {
    const store = fileStore();
    const server = await startOpenAIServer([{ toolCalls: [{ name: 'refund', arguments: { amount: 250 } }] }, 'Refund handled.', 'Refund handled again.']);
    servers.push(server);
    const ran: Array<[string, unknown]> = [];
    const first = createAgentsGuard({ policy: agentsPolicy, sender: 'clerk', store });
    const paused = JSON.parse(JSON.stringify(first.pause(await run(clerk(first, server.baseURL, ran).agent, 'Refund order 42.'))));
    const answers = { call_1: { kind: 'approve' as const, by: 'ana', at: at() } };

    // Two workers, each with a guard of its own on the shared store, given the same paused JSON.
    const workers = [createAgentsGuard({ policy: agentsPolicy, sender: 'clerk', store }), createAgentsGuard({ policy: agentsPolicy, sender: 'clerk', store })];
    const outcomes = await Promise.allSettled(
      workers.map(async (guard) => {
        const { agent } = clerk(guard, server.baseURL, ran);
        const next = await guard.resume(agent, paused, answers);
        if (next.kind !== 'run') throw new Error(`expected a run, got ${next.kind}`);
        return (await run(agent, next.state)).finalOutput;
      }),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'ALREADY_RESUMED' });
    expect(ran).toEqual([['refund', { amount: 250 }]]);

    // Later, the same JSON again: refused, and still one refund.
    const later = createAgentsGuard({ policy: agentsPolicy, sender: 'clerk', store });
    await expect(later.resume(clerk(later, server.baseURL, ran).agent, paused, answers)).rejects.toMatchObject({ code: 'ALREADY_RESUMED' });
    expect(ran).toEqual([['refund', { amount: 250 }]]);
    await Promise.all([first, ...workers, later].map((guard) => guard.close()));
  });
});

describe('the AI SDK: one paused history answered twice', () => {
  const aiPolicy = agentsPolicy;

  function desk(ran: number[]) {
    return {
      refund: tool({
        inputSchema: jsonSchema<{ amount: number }>({ type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] }),
        execute: async ({ amount }) => {
          ran.push(amount);
          return `refunded ${amount}`;
        },
      }),
    };
  }

  it('runs the approved call once; the second answer() is refused before it gives the SDK an approval', async () => {
    const store = fileStore();
    const ran: number[] = [];
    const paused = await (async () => {
      const run = await DurableRun.open(store, 'ai-sdk-pause');
      const guard = createAiSdkGuard({ policy: aiPolicy, sender: 'clerk', run, wait: 'suspend' });
      const messages: ModelMessage[] = [{ role: 'user', content: 'Refund order 42.' }];
      const result = await generateText({ model: scriptedModel([{ calls: [{ id: 'call_1', name: 'refund', args: { amount: 250 } }] }]).model, tools: guard.tools(desk(ran)), stopWhen: [guard.stopWhen, stepCountIs(5)], messages });
      messages.push(...result.response.messages);
      const steps = guard.paused(messages);
      await run.close();
      return JSON.parse(JSON.stringify({ messages, steps })) as { messages: ModelMessage[]; steps: ReturnType<typeof guard.paused> };
    })();
    const approvalId = paused.steps[0]!.kind === 'tool' ? paused.steps[0]!.approvalId : '';

    const worker = async (name: string) => {
      const run = await DurableRun.open(store, name);
      try {
        const guard = createAiSdkGuard({ policy: aiPolicy, sender: 'clerk', run, wait: 'suspend' });
        const messages = [...paused.messages, ...(await guard.answer(paused.steps, { [approvalId]: { kind: 'approve', by: 'ana', at: at() } }))];
        await generateText({ model: scriptedModel(['Refund handled.']).model, tools: guard.tools(desk(ran)), stopWhen: [guard.stopWhen, stepCountIs(5)], messages });
      } finally {
        await run.close();
      }
    };
    const outcomes = await Promise.allSettled([worker('worker-a'), worker('worker-b')]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'ALREADY_RESUMED' });
    await expect(worker('worker-c')).rejects.toMatchObject({ code: 'ALREADY_RESUMED' });
    expect(ran).toEqual([250]);
  });
});
