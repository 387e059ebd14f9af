// Hostile turns against typed conditions: huge and binary text, lone surrogates, deep nesting,
// keys named like Object.prototype's members, values of the wrong type. Every evaluator must
// return a decision (never throw), all must agree, and each decision must be the one a plain
// model of the policy gives: in particular never continue where a typed condition met a value
// of the wrong type. HANDRAIL_FUZZ_RUNS multiplies the number of generated turns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decide, decideSync, type Decision, type Turn } from '../../packages/policy/src/index.js';
import { fuzzRuns } from './fuzz-runs.js';


const policy = compilePolicy(`policy hostile
rule big: when tool.args.amount > 50 then escalate "big" else stop
rule safe_mode: when tool.args.mode == "safe" then continue
rule blocked: when tool.args.to contains any ["prod", "root"] then stop "blocked target"
rule level: when tool.args.level in [1, 2, 3] then escalate "level"
rule danger: when tool.args.tags contains "danger" then stop "danger"
rule rhythm: when every 3 tool.args.count then escalate "checkpoint"
rule odd_keys: when tool.args.__proto__ exists or tool.args.constructor exists then escalate "odd keys"
rule secret: when content matches /passw(or)?d/i or content contains "drop table" ignoring case then stop "secret"`);

// ——— a plain model of the policy above ———

const jsonNumber = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const asNumber = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && jsonNumber.test(v) ? Number(v) : NaN);
const present = (v: unknown) => v !== undefined && v !== null;
const own = (object: unknown, key: string) =>
  object !== null && (typeof object === 'object' || typeof object === 'string') && Object.hasOwn(object as object, key) ? (object as Record<string, unknown>)[key] : undefined;

type Expected = { action: Decision['action']; code?: string };

/** The decision for one call's arguments, or MISTYPED_FACT. */
function expectedForCall(args: unknown, content: string): Expected {
  const amount = own(args, 'amount');
  const mode = own(args, 'mode');
  const to = own(args, 'to');
  const level = own(args, 'level');
  const tags = own(args, 'tags');
  const count = own(args, 'count');
  const mistyped =
    (present(amount) && Number.isNaN(asNumber(amount))) ||
    (present(mode) && typeof mode !== 'string') ||
    (present(to) && typeof to !== 'string') ||
    (present(level) && Number.isNaN(asNumber(level))) ||
    (present(tags) && typeof tags !== 'string' && !Array.isArray(tags)) ||
    (present(count) && Number.isNaN(asNumber(count)));
  if (mistyped) return { action: 'escalate', code: 'MISTYPED_FACT' };
  const stop =
    (typeof to === 'string' && (to.includes('prod') || to.includes('root'))) ||
    ((typeof tags === 'string' || Array.isArray(tags)) && tags.includes('danger')) ||
    /passw(or)?d/i.test(content) ||
    content.toLowerCase().includes('drop table');
  if (stop) return { action: 'stop' };
  const n = asNumber(count);
  const escalate =
    asNumber(amount) > 50 ||
    [1, 2, 3].includes(asNumber(level)) ||
    (Number.isInteger(n) && n > 0 && n % 3 === 0) ||
    present(own(args, '__proto__')) ||
    present(own(args, 'constructor'));
  return { action: escalate ? 'escalate' : 'continue' };
}

const severity = { continue: 1, escalate: 2, stop: 3 } as const;

function expectedFor(turn: Turn): Expected {
  if (turn.tool !== undefined && turn.toolCalls !== undefined) return { action: 'escalate', code: 'INVALID_TURN' };
  const content = typeof turn.content === 'string' ? turn.content : '';
  const calls = turn.toolCalls?.length ? turn.toolCalls : [turn.tool];
  const argsOf = (call: Turn['tool']) => {
    const args = call?.args;
    if (typeof args !== 'string') return args ?? {};
    return args.trim() === '' ? {} : JSON.parse(args);
  };
  const outcomes = calls.map((call) => expectedForCall(call ? argsOf(call) : undefined, content));
  const failed = outcomes.find((outcome) => outcome.code);
  return failed ?? outcomes.reduce((worst, outcome) => (severity[outcome.action] > severity[worst.action] ? outcome : worst));
}

// ——— hostile values ———

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value, list: [value] };
  return value;
}
const deepObject = nested(10_000, 'bottom');
const deepJson = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);

const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\ud800', '\udfff', '\ufeff', '\u202e', 'a', 'P', 'ß'), maxLength: 30 }),
  fc.constantFrom('password', 'PASSWD', 'Drop Table users', 'prod', 'root', 'danger', '__proto__', 'constructor', 'x'.repeat(20_000)),
);
const wrongType = fc.constantFrom<unknown>(
  '500', '-1.5e3', '0', '5e2x', ' 500', '0x10', '', 'Infinity', 'NaN', '1e999', true, false, 7, 2, 3, 60, -0, 0.5, [], ['danger'], [2], {}, { to: 'prod' }, null, deepObject,
);
const argValue = fc.oneof(
  { weight: 3, arbitrary: hostileText.map((v) => v as unknown) },
  { weight: 1, arbitrary: wrongType },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 100 }).map((v) => v as unknown) },
);
const argKey = fc.constantFrom('amount', 'mode', 'to', 'level', 'tags', 'count', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'other');

/** Arguments as an object (own keys, even `__proto__`) or as the JSON text a model writes. */
const args = fc.oneof(
  fc.dictionary(argKey, argValue, { maxKeys: 5 }).chain((record) =>
    fc.constantFrom(
      JSON.parse(JSON.stringify(record, (_key, value) => (value === deepObject ? null : value))) as unknown,
      JSON.stringify(record, (_key, value) => (value === deepObject ? null : value)),
      Object.fromEntries(Object.entries(record)),
    ),
  ),
  fc.constantFrom<unknown>(deepJson, { tags: deepObject }, { amount: deepObject }, '[1, 2]', '"text"', '', 'null'),
);
const call = fc.record({ name: fc.oneof(hostileText, fc.constantFrom('refund', 'search')), args });

const turn: fc.Arbitrary<Turn> = fc
  .record({
    content: fc.oneof(hostileText, fc.constant(undefined)),
    shape: fc.constantFrom('tool', 'tool', 'toolCalls', 'none', 'both'),
    tool: call,
    toolCalls: fc.array(call, { minLength: 1, maxLength: 3 }),
    autoReplies: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ content, shape, tool, toolCalls, autoReplies }) => ({
    role: 'assistant',
    autoReplies,
    ...(content !== undefined ? { content } : {}),
    ...(shape === 'tool' || shape === 'both' ? { tool } : {}),
    ...(shape === 'toolCalls' || shape === 'both' ? { toolCalls } : {}),
  }));

async function decideEveryWay(input: Turn): Promise<Decision> {
  const fast = await decide(policy, input);
  const reference = await decide(policy, input, { engine: 'reference' });
  const sync = decideSync(policy, input);
  expect(reference).toEqual(fast);
  expect(sync).toEqual(fast);
  return fast;
}

const outcomes = new Map<string, number>();

function expectModel(decision: Decision, input: Turn) {
  const expected = expectedFor(input);
  const outcome = expected.code ?? expected.action;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  expect({ action: decision.action, code: decision.error?.code }).toEqual({ action: expected.action, code: expected.code });
  if (expected.code === 'MISTYPED_FACT') expect(decision.reason.length).toBeLessThan(500);
}

describe('hostile turns against typed conditions', () => {
  it('always get a decision, the same from every evaluator, and the one the policy says', async () => {
    await fc.assert(
      fc.asyncProperty(turn, async (input) => {
        expectModel(await decideEveryWay(input), input);
      }),
      { numRuns: fuzzRuns(400) },
    );
    // The generated turns reach every outcome.
    for (const outcome of ['continue', 'escalate', 'stop', 'MISTYPED_FACT', 'INVALID_TURN']) expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(2);
  }, 300_000);

  it('decide on megabytes of text alike', async () => {
    const control = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\ud800\udfff\ud83d';
    const huge = control.repeat(100_000); // ~3.5 MB
    const cases: Turn[] = [
      { content: `${huge}password`, tool: { name: 'refund', args: { amount: 1 } } },
      { tool: { name: 'refund', args: { amount: huge } } },
      // A JSON number two million digits long is a number (Infinity), and over 50.
      { tool: { name: 'refund', args: { amount: `1${'0'.repeat(2_000_000)}` } } },
    ];
    for (const input of cases) expectModel(await decideEveryWay(input), input);
  }, 300_000);
});
