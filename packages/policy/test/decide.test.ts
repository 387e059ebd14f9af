import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../../test/adversarial/fuzz-runs.js';
import { compilePolicy, ConfigurationError, decide, decideSync } from '../src/index.js';

describe('resolution', () => {
  const policy = compilePolicy(`policy order
rule go priority 9: when content contains "x" then continue with "fine"
rule ask_low: when content contains "x" then escalate "low"
rule ask_high priority 5: when content contains "xy" then escalate "high"
rule ask_first: when content contains "xy" then escalate "first"
rule halt: when content contains "xyz" then stop "halt"
rule halt_too: when content contains "xyz" then stop "halt too"`);

  it('lets stop beat escalate beat continue, whatever the priorities', () => {
    expect(decideSync(policy, { content: 'xyz' })).toMatchObject({ action: 'stop', rule: 'halt', reason: 'halt' });
    expect(decideSync(policy, { content: 'x' })).toMatchObject({ action: 'escalate', rule: 'ask_low' });
  });
  it('then prefers the higher priority, then the earlier rule', () => {
    expect(decideSync(policy, { content: 'xy' })).toMatchObject({ action: 'escalate', rule: 'ask_high', reason: 'high' });
  });
  it('gives the same answer on json-rules-engine, however its events arrive', async () => {
    for (const content of ['x', 'xy', 'xyz', 'none']) {
      expect(await decide(policy, { content }, { engine: 'reference' })).toEqual(decideSync(policy, { content }));
    }
  });
  it('applies the default when no rule holds', () => {
    expect(decideSync(policy, { content: 'nothing' })).toEqual({
      action: 'continue',
      rule: null,
      reason: 'no rule matched',
      reset: [],
      policy: { name: 'order', hash: policy.hash },
      explanation: [],
    });
    const strict = compilePolicy('policy strict\ndefault escalate "nothing allowed this" timeout 5m\nrule ok: when content equals "ok" then continue');
    expect(decideSync(strict, { content: 'other' })).toMatchObject({ action: 'escalate', rule: null, reason: 'nothing allowed this', timeoutMs: 300_000, onNoInput: 'stop' });
    expect(decideSync(strict, { content: 'ok' })).toMatchObject({ action: 'continue', rule: 'ok' });
  });
});

describe('a decision', () => {
  const policy = compilePolicy(`policy payments version 2
rule large: when tool.name in ["refund", "transfer_funds"] and tool.args.amount > 100
  then escalate "large payment" via finance timeout 10m else stop prompt "Approve {sender}?" and reset auto_replies`);

  it('carries what the loop needs and the explanation of the deciding rule', () => {
    const decision = decideSync(policy, { content: 'refunding', tool: { name: 'refund', args: '{"amount": 250}' } });
    expect(decision).toEqual({
      action: 'escalate',
      rule: 'large',
      reason: 'large payment',
      reset: ['auto_replies'],
      policy: { name: 'payments', version: '2', hash: policy.hash },
      onNoInput: 'stop',
      timeoutMs: 600_000,
      channel: 'finance',
      prompt: 'Approve {sender}?',
      explanation: [
        {
          rule: 'large',
          action: 'escalate',
          priority: 1,
          result: true,
          conditions: {
            all: [
              { fact: 'tool', path: '$.name', operator: 'oneOf', value: ['refund', 'transfer_funds'], factResult: 'refund', result: true },
              { fact: 'tool', path: '$.args.amount', operator: 'numberAbove', value: 100, factResult: 250, result: true },
            ],
            result: true,
          },
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });

  it('decides on each tool call of a message, the most severe winning', () => {
    const decision = decideSync(policy, { toolCalls: [{ name: 'search', args: {} }, { name: 'transfer_funds', args: { amount: 500 } }] });
    expect(decision).toMatchObject({ action: 'escalate', rule: 'large' });
    expect(decideSync(policy, { toolCalls: [{ name: 'refund', args: { amount: 5 } }] }).action).toBe('continue');
  });

  it('explains every rule on request', () => {
    const decision = decideSync(policy, { tool: { name: 'search' } }, { explain: 'all' });
    expect(decision.explanation).toHaveLength(1);
    expect(decision.explanation[0]).toMatchObject({ rule: 'large', result: false });
  });
});

describe('fields of unknown type', () => {
  it('look for text in a string or an item in a list with contains', () => {
    const policy = compilePolicy('policy tags\nrule urgent: when tool.args.tags contains "urgent" then escalate');
    expect(decideSync(policy, { tool: { name: 'file', args: { tags: ['urgent', 'billing'] } } }).rule).toBe('urgent');
    expect(decideSync(policy, { tool: { name: 'file', args: { tags: 'very urgent' } } }).rule).toBe('urgent');
    expect(decideSync(policy, { tool: { name: 'file', args: { tags: ['urgently'] } } }).rule).toBe(null);
    expect(decideSync(policy, { tool: { name: 'file', args: { tags: 5 } } }).rule).toBe(null);
  });
});

describe('failing closed', () => {
  const policy = compilePolicy(`policy guarded
fact risk: number
rule ok: when content contains "fine" and risk < 5 then continue`);

  it.each([
    ['a malformed turn', { content: 42 }, 'INVALID_TURN', 'content must be a string'],
    ['tool arguments that are not JSON', { content: 'fine', tool: { name: 'x', args: '{oops' }, facts: { risk: 1 } }, 'INVALID_TURN', 'not valid JSON'],
    ['a role that does not exist', { content: 'fine', role: 'robot', facts: { risk: 1 } }, 'INVALID_TURN', 'role must be one of'],
    ['a custom fact not provided', { content: 'fine' }, 'MISSING_FACT', 'reads the fact "risk"'],
    ['a custom fact that throws', { content: 'fine', facts: { risk: () => { throw new Error('service down'); } } }, 'FACT_FAILED', 'service down'],
    ['a custom fact of the wrong type', { content: 'fine', facts: { risk: 'low' } }, 'INVALID_FACT', 'must be number'],
  ])('escalates, never continues, on %s', async (_, turn, code, message) => {
    for (const engine of ['fast', 'reference'] as const) {
      const decision = await decide(policy, turn as never, { engine });
      expect(decision).toMatchObject({ action: 'escalate', onNoInput: 'stop', rule: null, error: { code } });
      expect(decision.error!.message).toContain(message);
      expect(decision.reason).toContain('could not decide');
    }
  });

  it('stops when no person can be asked', async () => {
    expect(await decide(policy, { content: 'fine' }, { humanAvailable: false })).toMatchObject({ action: 'stop', error: { code: 'MISSING_FACT' } });
  });

  it('rejects nothing: an async fact that rejects is a decision too', async () => {
    const decision = await decide(policy, { content: 'fine', facts: { risk: async () => Promise.reject(new Error('timeout')) } });
    expect(decision).toMatchObject({ action: 'escalate', error: { code: 'FACT_FAILED', message: 'fact "risk" failed: timeout' } });
  });

  it('uses facts given as values, sync functions or async functions alike', async () => {
    for (const risk of [1, () => 1, async () => 1]) expect((await decide(policy, { content: 'fine' }, { facts: { risk } })).action).toBe('continue');
    expect(decideSync(policy, { content: 'fine', facts: { risk: () => 1 } }).action).toBe('continue');
  });

  it('refuses an async fact in decideSync as a programming error', () => {
    expect(() => decideSync(policy, { content: 'fine', facts: { risk: async () => 1 } })).toThrow(ConfigurationError);
  });
});

describe('any message', () => {
  const policy = compilePolicy(`policy wide
rule secret: when content matches /.*(password|api[_-]?key).*/i then stop
rule slow: when content matches /\\s*$/ and content matches /a*a*b/ then escalate
rule words: when content contains any ["delete", "drop table"] ignoring case or content ends with "x" then escalate
rule code: when code.languages contains "sh" then escalate "shell"`);

  // 2 MB by default (HANDRAIL_FUZZ_RUNS=5: 10 MB, about 20 s of CPU): 500 times the native
  // engine's limit, where backtracking on /a*a*b/ would take hours. test/adversarial/redos.test.ts
  // holds every accepted pattern to linear time.
  const megabytes = fuzzRuns(2);
  it(`is decided without hanging, however long (${megabytes} MB)`, () => {
    const long = 'a'.repeat(megabytes * 1_000_000);
    expect(decideSync(policy, { content: long }).action).toBe('continue');
    expect(decideSync(policy, { content: `${long}b` }).rule).toBe('slow');
    expect(decideSync(policy, { content: `${long} password` }).rule).toBe('secret');
    expect(decideSync(policy, { content: `${'\u0000\uffff'.repeat(megabytes * 100_000)}` }).action).toBe('continue');
   }, 300_000); // a ceiling for a loaded machine, not a timing: the bench measures speed

  it('gives the same regex answers on short and long texts', () => {
    const padding = ' '.repeat(5000);
    for (const text of ['my Password is', 'API-KEY', 'apikey', 'nothing here']) {
      expect(decideSync(policy, { content: text }).rule).toBe(decideSync(policy, { content: `${padding}${text}` }).rule);
    }
  });

  it('sees fenced code blocks', () => {
    expect(decideSync(policy, { content: 'Run this:\n```sh\nrm -rf dist\n```\n' })).toMatchObject({ action: 'escalate', rule: 'code' });
    expect(decideSync(policy, { content: 'Run this:\n```python\nprint(1)\n```\n' }).action).toBe('continue');
  });
});

describe('the reference engine', () => {
  it('gives each of many overlapping runs its own answer', async () => {
    const policy = compilePolicy('policy slow\nfact score: number\nrule high priority 2: when score > 50 then escalate\nrule low: when score <= 50 then stop');
    const scores = Array.from({ length: 60 }, (_, i) => (i * 37) % 100);
    const decisions = await Promise.all(
      scores.map((score, i) =>
        decide(policy, { facts: { score: () => new Promise((resolve) => setTimeout(() => resolve(score), (i * 7) % 13)) } }, { engine: 'reference' }),
      ),
    );
    expect(decisions.map((d) => d.action)).toEqual(scores.map((s) => (s > 50 ? 'escalate' : 'stop')));
  });
});
