// Typed tools: `tool refund(order: string, amount: number)` declares a tool's arguments; the
// checker reads conditions on them with those types, and a call that does not match fails closed.
import { describe, expect, it } from 'vitest';
import { handrail } from './run-handrail.js';
import { compilePolicy, compileToDocument, decide, decideSync, formatPolicy, loadPolicy, parsePolicy, PolicyError, type Turn } from '../src/index.js';

const declarations = `policy shop
tool refund(order: string, amount: number, note?: string)
tool transfer_funds(amount: number, payee: string, tags?: list)
tool send_email(to: string, ...)
`;

/** The code frames of compiling `rules` after the declarations, or '' when it compiles. */
function problems(rules: string): string {
  try {
    compilePolicy(declarations + rules, { file: 'shop.policy' });
    return '';
  } catch (error) {
    if (!PolicyError.isInstance(error)) throw error;
    return error.format();
  }
}

describe('tool declarations', () => {
  it('parse into the AST with their arguments, optional ones and a trailing ...', () => {
    const [refund, , email] = parsePolicy(declarations).statements;
    expect(refund).toMatchObject({ kind: 'tool', name: { name: 'refund' }, openEnded: false });
    expect(refund?.kind === 'tool' && refund.params.map((p) => [p.name.name, p.type.name, p.optional])).toEqual([
      ['order', 'string', false],
      ['amount', 'number', false],
      ['note', 'string', true],
    ]);
    expect(email).toMatchObject({ kind: 'tool', name: { name: 'send_email' }, openEnded: true });
    expect(parsePolicy('policy p\ntool "read-file"(path: string)\ntool ping()').statements).toMatchObject([
      { kind: 'tool', name: { name: 'read-file' }, params: [{ name: { name: 'path' } }] },
      { kind: 'tool', name: { name: 'ping' }, params: [], openEnded: false },
    ]);
  });

  it('leave `tool` a fact: tool.name and tool.args read as before', () => {
    const policy = compilePolicy(`${declarations}rule big: when tool.name == "refund" and tool.args.amount > 100 then escalate`);
    expect(policy.document.rules[0]!.conditions).toEqual({
      all: [
        { fact: 'tool', path: '$.name', operator: 'equals', value: 'refund' },
        { fact: 'tool', path: '$.args.amount', operator: 'numberAbove', value: 100 },
      ],
    });
  });

  it('are carried by the compiled document, and a policy without any compiles and hashes as before', () => {
    const document = compileToDocument(declarations);
    expect(document.tools).toEqual({
      refund: { args: { order: { type: 'string' }, amount: { type: 'number' }, note: { type: 'string', optional: true } } },
      transfer_funds: { args: { amount: { type: 'number' }, payee: { type: 'string' }, tags: { type: 'list', optional: true } } },
      send_email: { args: { to: { type: 'string' } }, openEnded: true },
    });
    expect(loadPolicy(JSON.stringify(document)).hash).toBe(document.hash);
    expect('tools' in compileToDocument('policy plain\nrule a: when content contains "x" then stop')).toBe(false);
  });

  it('are checked in a compiled document given as JSON', () => {
    const document = { ...compileToDocument(declarations), hash: undefined };
    const bad = { ...document, tools: { refund: { args: { amount: { type: 'money' } } } } };
    expect(() => loadPolicy(JSON.stringify(bad, null, 2))).toThrow(/\/tools\/refund\/args\/amount\/type: must be one of the allowed values/);
    const open = { ...document, tools: { refund: { args: {}, openEnded: false } } };
    expect(() => loadPolicy(JSON.stringify(open, null, 2))).toThrow(/\/tools\/refund\/openEnded: must be true/);
  });

  it('are printed back by fmt, one argument a line when they do not fit', () => {
    const source = 'policy p\nrule a: when content contains "x" then stop\ntool  refund( order:string ,amount ?: number,... )\n';
    expect(formatPolicy(source)).toBe('policy p\ntool refund(order: string, amount?: number, ...)\nrule a: when content contains "x" then stop\n');
    const long = 'policy p\ntool "read-file"(path: string, encoding?: string, start_line?: number, end_line?: number, follow_links?: boolean)  # reads\n';
    expect(formatPolicy(long, { width: 60 })).toBe(
      'policy p\ntool "read-file"(\n  path: string,\n  encoding?: string,\n  start_line?: number,\n  end_line?: number,\n  follow_links?: boolean\n)  # reads\n',
    );
    expect(formatPolicy(formatPolicy(long, { width: 60 }), { width: 60 })).toBe(formatPolicy(long, { width: 60 }));
  });
});

describe('checking conditions on declared arguments', () => {
  it('refuses an argument the named tool does not declare, with a did-you-mean', () => {
    expect(problems('rule big: when tool.name == "refund" and tool.args.amout > 100 then stop')).toBe(
      [
        'shop.policy:5:52: error UNKNOWN_ARGUMENT: tool "refund" has no argument "amout"; did you mean "amount"?',
        '  4 | tool send_email(to: string, ...)',
        '> 5 | rule big: when tool.name == "refund" and tool.args.amout > 100 then stop',
        '    |                                                    ^^^^^',
        '  expected one of: order, amount, note',
      ].join('\n'),
    );
  });

  it('reads a list of tool names as any of them: an argument of one is allowed, one of none is refused', () => {
    expect(problems('rule a: when tool.name in ["refund", "transfer_funds"] and tool.args.payee == "x" then stop')).toBe('');
    expect(problems('rule a: when tool.name in ["refund", "transfer_funds"] and tool.args.payer == "x" then stop')).toContain(
      'error UNKNOWN_ARGUMENT: tools "refund" and "transfer_funds" have no argument "payer"; did you mean "payee"?',
    );
  });

  it('refuses an operator that does not fit the declared type, as for built-in facts', () => {
    expect(problems('rule a: when tool.name == "refund" and tool.args.amount contains "5" then stop')).toContain(
      'shop.policy:5:57: error TYPE_MISMATCH: contains needs text or a list, but tool.args.amount is number',
    );
    expect(problems('rule a: when tool.name == "refund" and tool.args.order > 5 then stop')).toContain('error TYPE_MISMATCH: ">" needs number, but tool.args.order is string');
    expect(problems('rule a: when tool.name == "refund" and tool.args.amount == "5" then stop')).toContain('error TYPE_MISMATCH: tool.args.amount is number, so compare it with a number');
    expect(problems('rule a: when tool.name == "refund" and tool.args.amount.cents > 5 then stop')).toContain('error TYPE_MISMATCH: tool.args.amount is number, so it has no fields');
  });

  it('narrows through nested conjunctions and each branch of an or', () => {
    expect(problems('rule a: when (tool.name == "refund" and tool.args.order == "x") or (tool.name == "transfer_funds" and tool.args.payee == "y") then stop')).toBe('');
    expect(problems('rule a: when (tool.name == "refund" and tool.args.payee == "x") or tool.name == "transfer_funds" then stop')).toContain('tool "refund" has no argument "payee"');
    expect(problems('rule a: when tool.name == "transfer_funds" and content contains "x" and tool.args.tags[0] == "vip" then stop')).toBe('');
  });

  it('without a tool name, needs the argument in some declared tool, and points to naming the tool', () => {
    const closed = 'policy shop\ntool refund(order: string, amount: number)\n';
    expect(() => compilePolicy(`${closed}rule a: when tool.args.amount > 100 then stop`)).not.toThrow();
    expect(() => compilePolicy(`${closed}rule a: when tool.args.query contains "x" then stop`, { file: 'shop.policy' })).toThrow(
      'shop.policy:3:24: no declared tool has an argument "query"; to read an undeclared tool\'s argument, name the tool: tool.name == "…" and tool.args.query …',
    );
    // An open-ended tool may have any argument: then nothing is refused.
    expect(problems('rule a: when tool.args.query contains "x" then stop')).toBe('');
  });

  it('leaves undeclared and open-ended tools as they were', () => {
    expect(problems('rule a: when tool.name == "search" and tool.args.query contains "x" then stop')).toBe('');
    expect(problems('rule a: when tool.name == "send_email" and tool.args.subject contains "x" then stop')).toBe('');
    expect(problems('rule a: when tool.name in ["refund", "search"] and tool.args.anything > 1 then stop')).toBe('');
    expect(() => compilePolicy('policy p\nrule a: when tool.args.whatever contains "x" then stop')).not.toThrow();
  });

  it('reports a tool or an argument declared twice, and an unknown type', () => {
    const text = problems('tool refund(x: strin, y: number, y: string)\nrule a: when content contains "x" then stop');
    expect(text).toContain('shop.policy:5:6: error DUPLICATE_TOOL: tool "refund" is already declared on line 2');
    expect(text).toContain('shop.policy:5:16: error UNKNOWN_TYPE: unknown argument type "strin"');
    expect(text).toContain('shop.policy:5:34: error DUPLICATE_ARGUMENT: tool "refund" declares the argument "y" twice');
  });
});

describe('deciding on a call of a declared tool', () => {
  const policy = compilePolicy(`${declarations}rule big: when tool.name == "refund" and tool.args.amount > 100 then escalate "large refund"\nrule mail: when tool.name == "send_email" then continue`);
  const both = async (turn: Turn, options = {}) => {
    const fast = await decide(policy, turn, options);
    expect(await decide(policy, turn, { ...options, engine: 'reference' })).toEqual(fast);
    expect(decideSync(policy, turn, options)).toEqual(fast);
    return fast;
  };
  const failsWith = (message: string) => ({ action: 'escalate', rule: null, onNoInput: 'stop', reason: `could not decide: ${message}`, error: { code: 'INVALID_TOOL_CALL', message } });

  it('decides as usual when the call matches', async () => {
    expect(await both({ tool: { name: 'refund', args: { order: 'A-1', amount: 250 } } })).toMatchObject({ action: 'escalate', rule: 'big' });
    expect(await both({ tool: { name: 'refund', args: '{"order": "A-1", "amount": 5, "note": null}' } })).toMatchObject({ action: 'continue', rule: null });
    expect(await both({ tool: { name: 'send_email', args: { to: 'a@b', subject: 'hi' } } })).toMatchObject({ action: 'continue', rule: 'mail' });
  });

  it('fails closed on a wrong type, naming the tool, the argument, the type and what arrived', async () => {
    expect(await both({ tool: { name: 'refund', args: { order: 'A-1', amount: '250' } } })).toMatchObject(failsWith('tool "refund": argument amount must be number, but the call gave "250" (string)'));
    expect(await both({ tool: { name: 'refund', args: { order: 'A-1', amount: 5, note: 7 } } })).toMatchObject(failsWith('tool "refund": argument note must be string, but the call gave 7 (number)'));
  });

  it('fails closed on a missing or null required argument', async () => {
    expect(await both({ tool: { name: 'refund', args: { amount: 5 } } })).toMatchObject(failsWith('tool "refund": argument order (string) is missing'));
    expect(await both({ tool: { name: 'refund', args: { order: null, amount: 5 } } })).toMatchObject(failsWith('tool "refund": argument order must be string, but the call gave null'));
  });

  it('fails closed on an argument the declaration does not name, unless it ends in ...', async () => {
    expect(await both({ tool: { name: 'refund', args: { order: 'A-1', amount: 5, amount_override: 9000 } } })).toMatchObject(
      failsWith('tool "refund": the call gives "amount_override", which the declaration does not name (end it with `...` to allow other arguments)'),
    );
  });

  it('fails closed on arguments that are not an object, and counts further problems', async () => {
    expect(await both({ tool: { name: 'refund', args: '[1, 2]' } })).toMatchObject(failsWith('tool "refund" takes named arguments, but the call gave [1,2] (list)'));
    expect(await both({ tool: { name: 'refund', args: { amount: 'x', extra: 1 } } })).toMatchObject(failsWith('tool "refund": argument order (string) is missing (and 2 more problems)'));
  });

  it('stops when nobody can be asked, and checks every call of the turn', async () => {
    const turn: Turn = { toolCalls: [{ name: 'send_email', args: { to: 'a@b' } }, { name: 'transfer_funds', args: { amount: 5 } }] };
    expect(await both(turn, { humanAvailable: false })).toMatchObject({ action: 'stop', error: { code: 'INVALID_TOOL_CALL', message: 'tool "transfer_funds": argument payee (string) is missing' } });
  });

  it('leaves calls of undeclared tools alone', async () => {
    expect(await both({ tool: { name: 'search', args: { anything: [1, { deep: true }] } } })).toMatchObject({ action: 'continue', rule: null });
  });
});

describe('handrail explain with a declared tool', () => {
  it('prints the declaration the call was checked against, and the reason it failed closed', async () => {
    const result = await handrail('explain', 'examples/policies/payments.policy', '--tool', 'refund', '--args', '{"amount": "500"}', '--fact', 'payee_known=true');
    expect(result.stdout).toContain('could not decide: tool "refund": argument amount must be number, but the call gave "500" (string)');
    expect(result.stdout).toContain('arguments checked against: tool refund(order?: string, amount?: number)');
    const undeclared = await handrail('explain', 'examples/policies/payments.policy', '--tool', 'lookup_order', '--fact', 'payee_known=true');
    expect(undeclared.stdout).toContain('tool "lookup_order" is not declared: its arguments are not checked');
  });
});
