// Attacks on the MCP gateway: hostile tool calls (any name, any arguments, amounts of the wrong
// type) and hostile answers from the client's elicitation (any action, any answer, edited
// arguments that are no JSON, no object, or ones the policy stops). Whatever arrives, the upstream
// tool runs at most once per call, only with arguments the policy let through or a person
// approved as shown, and a call that did not run is always an isError result.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { decide, type Decision } from '../../packages/policy/src/index.js';
import { compilePolicy } from '../../packages/policy/src/index.js';
import { linkGateway, type Person } from '../../packages/adapters/test/fixtures/mcp-linked.js';
import { fuzzRuns } from './fuzz-runs.js';

const policy = compilePolicy(`policy mcp_refunds version 1
rule forbidden: when tool.name == "delete_account" then stop "accounts are never deleted"
rule huge: when tool.name == "refund" and tool.args.amount > 1000 then stop "refunds over 1000 are never made"
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund" timeout 5m else stop`);

const amount = fc.oneof({ arbitrary: fc.integer({ min: -10, max: 1500 }), weight: 6 }, fc.double(), fc.string({ maxLength: 6 }), fc.constantFrom('250', '5000', ' 250', '1e9', null, true, [], {}));
const args = fc.record({ order: fc.string({ maxLength: 8 }), amount }, { requiredKeys: ['amount'] }).chain((base) => fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((extra) => ({ ...extra, ...base })));
const editedText = fc.oneof(
  args.map((value) => JSON.stringify(value)),
  fc.constantFrom('[90]', '90', 'null', '"x"', '{', '', '{"amount":5000}', '{"amount":90}', '{"amount":"90"}', `${'['.repeat(70)}${']'.repeat(70)}`),
  fc.string({ maxLength: 20 }),
);
const content = fc.record(
  {
    answer: fc.oneof(fc.constantFrom('approve', 'reject', 'reply', 'edit'), fc.string({ maxLength: 8 })),
    message: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('')),
    arguments: editedText,
  },
  { requiredKeys: ['answer'] },
);
const response = fc.oneof(
  content.map((fields) => ({ action: 'accept' as const, content: fields })),
  fc.constantFrom({ action: 'decline' as const }, { action: 'cancel' as const }, { action: 'accept' as const }),
);
const call = fc.record({ name: fc.oneof({ arbitrary: fc.constant('refund'), weight: 6 }, fc.constantFrom('lookup', 'delete_account'), fc.string({ maxLength: 10 })), args });

function decision(name: string, toolArgs: unknown): Promise<Decision> {
  return decide(policy, { content: null, role: 'assistant', sender: 'mcp-client', tool: { name, args: toolArgs } }, { humanAvailable: true });
}

test('hostile calls and hostile answers: a tool runs at most once, only as the policy or a person allowed', async () => {
  const seen = { escalated: 0, ranAfterAsking: 0 };
  await fc.assert(
    fc.asyncProperty(call, fc.array(response, { minLength: 1, maxLength: 3 }), async ({ name, args: proposed }, responses) => {
      // What the person was shown, and what they approved as shown (the last form's arguments).
      const shown: string[] = [];
      const approvedAsShown: string[] = [];
      const answers: Array<Awaited<ReturnType<Person>>> = [...responses];
      const person: Person = (request) => {
        shown.push(request.message);
        // Past the scripted answers the person rejects, so an edit that escalates again ends.
        const next = answers.shift() ?? { action: 'accept', content: { answer: 'reject' } };
        if (next.action === 'accept' && next.content?.answer === 'approve') approvedAsShown.push(request.message);
        return next;
      };
      const link = await linkGateway({ policy }, person);
      try {
        const result = (await link.client.callTool({ name, arguments: proposed })) as { isError?: boolean };
        expect(link.ran.length).toBeLessThanOrEqual(1);
        expect(Boolean(result.isError)).toBe(link.ran.length === 0);
        const first = await decision(name, proposed);
        if (first.action === 'escalate') seen.escalated += 1;
        if (first.action === 'escalate' && link.ran.length) seen.ranAfterAsking += 1;
        if (first.action === 'stop') expect(link.ran).toEqual([]);
        if (first.action === 'continue') expect(link.ran).toEqual([{ tool: name, args: proposed }]);
        for (const run of link.ran) {
          expect(run.tool).toBe(name);
          const ranWith = await decision(name, run.args);
          expect(ranWith.action).not.toBe('stop');
          // Anything the policy escalates ran only after a person approved exactly these arguments, or edited them to these.
          if (ranWith.action === 'escalate') expect(shown.length).toBeGreaterThan(0);
          if (ranWith.action === 'escalate' && JSON.stringify(run.args) === JSON.stringify(proposed)) expect(approvedAsShown.some((message) => message.includes(JSON.stringify(proposed)))).toBe(true);
        }
      } finally {
        await link.close();
      }
    }),
    {
      numRuns: fuzzRuns(40),
      examples: [
        [{ name: 'refund', args: { order: 'A-2', amount: 250 } }, [{ action: 'accept', content: { answer: 'approve' } }]],
        [{ name: 'refund', args: { order: 'A-2', amount: 250 } }, [{ action: 'accept', content: { answer: 'edit', arguments: '{"order":"A-2","amount":5000}' } }]],
        [{ name: 'refund', args: { order: 'A-2', amount: 250 } }, [{ action: 'accept', content: { answer: 'edit', arguments: '{"order":"A-2","amount":300}' } }, { action: 'accept', content: { answer: 'approve' } }]],
      ],
    },
  );
  // The cases that matter were generated: people were asked, and some calls ran after they answered.
  expect(seen.escalated).toBeGreaterThan(0);
  expect(seen.ranAfterAsking).toBeGreaterThan(0);
}, 120_000);
