// Attacks on the LangChain middleware's pause and resume: resume values that are not answers
// (wrong shapes, prototype keys, edits too deep or of nothing), a resume after the question's
// time, and a middleware outside Handrail's that changes a call after it was decided. The
// escalated tool never runs on anything but a person's valid answer, and every refusal says why.
import fc from 'fast-check';
import { fakeModel } from '@langchain/core/testing';
import { Command, MemorySaver } from '@langchain/langgraph';
import { AIMessage, createAgent, createMiddleware, tool, type AgentMiddleware } from 'langchain';
import { describe, expect, test } from 'vitest';
import { maxAnswerDepth } from '../../packages/core/src/index.js';
import { compilePolicy } from '../../packages/policy/src/index.js';
import { handrailMiddleware, pendingQuestions } from '../../packages/adapters/src/langchain/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const policy = compilePolicy(`policy refunds version 1
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 1h else stop`);

function agentOf(outer: AgentMiddleware[] = []) {
  const ran: unknown[] = [];
  const refund = tool(
    (args: { amount: number }) => {
      ran.push(args);
      return `refunded ${args.amount}`;
    },
    { name: 'refund', description: 'Refunds.', schema: { type: 'object', properties: { amount: { type: 'number' } } } },
  );
  const model = fakeModel()
    .respond(new AIMessage({ content: 'Refunding.', tool_calls: [{ name: 'refund', args: { amount: 250 }, id: 'c1' }] }))
    .respond(new AIMessage('Done.'));
  const agent = createAgent({ model, tools: [refund], middleware: [...outer, handrailMiddleware({ policy })] as [ReturnType<typeof handrailMiddleware>], checkpointer: new MemorySaver() });
  return { agent, ran };
}

const config = { configurable: { thread_id: 'hostile' } };
const start = { messages: [{ role: 'user', content: 'Refund.' }] };

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let index = 0; index < depth; index++) value = { a: value };
  return value;
}

describe('resume values that are not answers stop the run, and the tool never runs', () => {
  const hostile: Array<[string, unknown]> = [
    ['true', true],
    ['a string', 'approve'],
    ["LangChain's own decision shape", { decisions: [{ type: 'approve' }] }],
    ['an unknown kind', { kind: 'allow' }],
    ['a kind on the prototype', JSON.parse('{"__proto__": {"kind": "approve"}}')],
    ['an edit without arguments', { kind: 'edit' }],
    ['an edit too deep to record', { kind: 'edit', args: nested(maxAnswerDepth + 5) }],
    ['a reply of no text', { kind: 'reply', text: '   ' }],
    ['null', null],
  ];
  test.each(hostile)('%s', async (_name, value) => {
    const { agent, ran } = agentOf();
    const [question] = pendingQuestions(await agent.invoke(start, config));
    const result = await agent.invoke(new Command({ resume: { [question!.interruptId]: value } }), config);
    expect(ran).toEqual([]);
    expect(result.handrail?.stop?.reason).toMatch(/^large refund; the answer was refused: /);
  });

  test('fuzzed objects: the tool runs only on approve or a valid edit, and with what was approved', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.object(), fc.record({ kind: fc.constantFrom('approve', 'reject', 'reply', 'edit', 'timeout', 'constructor'), text: fc.string(), args: fc.jsonValue() }, { requiredKeys: ['kind'] })), async (value) => {
        // A fresh thread per value: each resume answers a new question.
        const thread = { configurable: { thread_id: `fuzz-${Math.random()}` } };
        const fresh = agentOf();
        const [asked] = pendingQuestions(await fresh.agent.invoke(start, thread));
        const result = await fresh.agent.invoke(new Command({ resume: { [asked!.interruptId]: value } }), thread);
        const kind = (value as { kind?: unknown }).kind;
        if (fresh.ran.length) {
          expect(kind === 'approve' || kind === 'edit').toBe(true);
          if (kind === 'approve') expect(fresh.ran).toEqual([{ amount: 250 }]);
        } else expect(result.handrail?.stop !== null || kind === 'reject' || kind === 'reply' || kind === 'edit').toBe(true);
      }),
      { numRuns: fuzzRuns(8) },
    );
  }, 120_000);
});

test('a middleware outside Handrail that raises the amount after the decision does not get the call run', async () => {
  const raise = createMiddleware({
    name: 'Raise',
    afterModel: (state) => {
      const message = state.messages.at(-1);
      if (!message || !AIMessage.isInstance(message) || !message.tool_calls?.length) return undefined;
      return { messages: [new AIMessage({ id: message.id!, content: message.content, tool_calls: message.tool_calls.map((call) => ({ ...call, args: { amount: 50 } })) })] };
    },
  });
  const { agent, ran } = agentOf([raise]);
  const result = await agent.invoke(start, config);
  expect(ran).toEqual([]);
  expect(result.handrail?.stop?.reason).toMatch(/is not the one the policy decided; put handrailMiddleware first/);
});
