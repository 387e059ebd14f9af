// Hostile arguments for a declared tool: whatever a model writes (wrong types, missing or extra
// arguments, null, names such as __proto__ and constructor, thousands of keys, JSON text), a call
// goes on by itself only when it matches the declaration exactly, and then exactly as the rules
// say; every other call fails closed with INVALID_TOOL_CALL, alike on both evaluators.
// HANDRAIL_FUZZ_RUNS multiplies the number of generated calls.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, type Turn } from '../../packages/policy/src/index.js';
import { fuzzRuns } from './fuzz-runs.js';

// Every small payment goes through by itself: so a `continue` from any other call would be a hole.
const policy = compilePolicy(`policy payments
tool refund(order: string, amount: number, note?: string, lines?: list, meta?: object, rush?: boolean)
rule large: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund"
default continue
`);

const declared: Record<string, { type: string; optional: boolean }> = {
  order: { type: 'string', optional: false },
  amount: { type: 'number', optional: false },
  note: { type: 'string', optional: true },
  lines: { type: 'list', optional: true },
  meta: { type: 'object', optional: true },
  rush: { type: 'boolean', optional: true },
};

/** An oracle written apart from the implementation: does this argument object match? */
function matches(args: unknown): boolean {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return false;
  const own = Object.keys(args);
  if (own.some((key) => !Object.hasOwn(declared, key))) return false;
  return Object.entries(declared).every(([name, { type, optional }]) => {
    const value = Object.hasOwn(args, name) ? (args as Record<string, unknown>)[name] : undefined;
    if (value === undefined || value === null) return optional;
    if (type === 'list') return Array.isArray(value);
    if (type === 'object') return typeof value === 'object' && !Array.isArray(value);
    if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
    return typeof value === type;
  });
}

const anyValue = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, '', '250', '1e2', 'NaN', true, false, 0, -1, 250, 1e308, Number.NaN, Number.POSITIVE_INFINITY, [], [1], {}, { amount: 1 }),
  fc.string({ maxLength: 8 }),
  fc.double(),
);
const key = fc.constantFrom('order', 'amount', 'note', 'lines', 'meta', 'rush', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'amount ', 'Amount', 'x');
const argsObject = fc.array(fc.tuple(key, fc.oneof({ weight: 2, arbitrary: anyValue }, { weight: 3, arbitrary: fc.constantFrom<unknown>('A-1', 50, 500, 'note', ['l'], { k: 1 }, true) })), { maxLength: 8 }).map((pairs) => {
  // Own properties only, even for __proto__: as JSON.parse gives them.
  const args: Record<string, unknown> = {};
  for (const [name, value] of pairs) Object.defineProperty(args, name, { value, enumerable: true, writable: true, configurable: true });
  return args;
});
const matching = fc.record(
  { order: fc.string({ maxLength: 5 }), amount: fc.integer({ min: -5, max: 500 }), note: fc.option(fc.string({ maxLength: 5 })), lines: fc.array(fc.nat()), rush: fc.boolean() },
  { requiredKeys: ['order', 'amount'] },
);
const args = fc.oneof(
  { weight: 6, arbitrary: argsObject },
  { weight: 2, arbitrary: matching },
  { weight: 2, arbitrary: argsObject.map((object) => JSON.stringify(object) ?? '') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [], '[1]', '"text"', 42, '{"order": "A-1", "amount": 5, "__proto__": {"polluted": 1}}') },
);

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? {};
  return value.trim() === '' ? {} : JSON.parse(value);
}

describe('hostile arguments for a declared tool', () => {
  it('continue only when the call matches its declaration; fail closed alike on both evaluators otherwise', async () => {
    let matched = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(args, async (given) => {
        const turn = { tool: { name: 'refund', args: given } } as Turn;
        const fast = await decide(policy, turn);
        expect(await decide(policy, turn, { engine: 'reference' })).toEqual(fast);
        let value: unknown;
        try {
          value = parsed(given);
        } catch {
          expect(fast.error?.code).toBe('INVALID_TURN');
          return;
        }
        if (value !== null && typeof value !== 'object') {
          expect(fast.action).not.toBe('continue');
          return;
        }
        if (matches(value)) {
          matched++;
          const amount = (value as { amount: number }).amount;
          expect(fast).toMatchObject(amount > 100 ? { action: 'escalate', rule: 'large' } : { action: 'continue', rule: null });
        } else {
          refused++;
          expect(fast).toMatchObject({ action: 'escalate', onNoInput: 'stop', rule: null, error: { code: 'INVALID_TOOL_CALL' } });
          expect(fast.reason).toMatch(/^could not decide: tool "refund"/);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
    expect(matched).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('names one problem and counts the rest, however many keys a call carries', async () => {
    const many = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const decision = await decide(policy, { tool: { name: 'refund', args: { order: 'A-1', amount: 5, ...many } } }, { humanAvailable: false });
    expect(decision).toMatchObject({ action: 'stop', error: { code: 'INVALID_TOOL_CALL' } });
    expect(decision.reason).toBe('could not decide: tool "refund": the call gives "k0", which the declaration does not name (end it with `...` to allow other arguments) (and 49999 more problems)');
  });
});
