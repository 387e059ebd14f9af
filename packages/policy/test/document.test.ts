import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { addOperators, compilePolicy, compileToDocument, decideSync, loadPolicy, policyDocumentSchema } from '../src/index.js';

const source = `policy invoices version 3
# Escalate when the agent asks for review.
rule review priority 2: when content contains "NEEDS_REVIEW" then escalate "agent asked for review" timeout 10m else stop
rule done: when content ends with "TERMINATE" then stop "finished"`;

describe('the compiled form', () => {
  it('is json-rules-engine rules that a plain Engine runs once our operators are added', async () => {
    const { rules } = compileToDocument(source);
    const engine = addOperators(new Engine(JSON.parse(JSON.stringify(rules))));
    const { events } = await engine.run({ content: 'NEEDS_REVIEW: totals differ' });
    expect(events).toEqual([{ type: 'escalate', params: { rule: 'review', order: 0, reason: 'agent asked for review', onNoInput: 'stop', timeoutMs: 600_000 } }]);
  });

  it('is accepted back as input, as text or as an object, with the same hash and decisions', () => {
    const policy = compilePolicy(source);
    const fromText = loadPolicy(JSON.stringify(policy.document));
    const fromObject = loadPolicy(JSON.parse(JSON.stringify(policy.document)));
    expect(fromText.hash).toBe(policy.hash);
    expect(fromObject.hash).toBe(policy.hash);
    expect(decideSync(fromText, { content: 'all TERMINATE' })).toEqual(decideSync(policy, { content: 'all TERMINATE' }));
  });

  it('accepts a generated document without hash, order or priorities', () => {
    const policy = loadPolicy({
      format: 'handrail.policy/v1',
      name: 'generated',
      facts: {},
      rules: [{ name: 'big', conditions: { any: [{ fact: 'tool', path: '$.args.amount', operator: 'numberAbove', value: 1000 }] }, event: { type: 'stop', params: { reason: 'too big' } } }],
    } as never);
    expect(decideSync(policy, { tool: { name: 'pay', args: { amount: 5000 } } })).toMatchObject({ action: 'stop', rule: 'big', reason: 'too big' });
  });

  it('has a hash that ignores comments and layout but not meaning', () => {
    const hash = compilePolicy(source).hash;
    expect(compilePolicy(`# a new comment\n${source.replace(/ then /g, '\n  then ')}`).hash).toBe(hash);
    expect(compilePolicy(source.replace('10m', '11m')).hash).not.toBe(hash);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('is frozen', () => {
    const policy = compilePolicy(source);
    expect(Object.isFrozen(policy.document.rules[0]!.conditions)).toBe(true);
    expect(() => {
      (policy.document.rules as unknown as unknown[]).push({});
    }).toThrow();
  });

  it('has a JSON Schema (2020-12) for editors and programs', () => {
    expect(policyDocumentSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
