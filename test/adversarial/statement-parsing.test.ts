// A policy is parsed statement by statement, each shape of statement once (parse-statements.ts),
// and the whole text is parsed only to report errors. Any difference between the two would be a
// different policy than the one written: here every input, shipped policies mutated (tokens
// deleted, duplicated, swapped; keywords, paths ending in keywords, comments inserted) and large
// generated ones, must give the same AST, or the same error, both ways. Compiling text does not
// run the JSON Schema on its own output: every policy compiled here must meet it. HANDRAIL_FUZZ_RUNS
// multiplies the count.
import { describe, expect, it } from 'vitest';
import { compileToDocument, PolicyError } from '../../packages/policy/src/index.js';
import { validateDocument } from '../../packages/policy/src/compile/validate-document.js';
import { parsePolicy, parseWhole } from '../../packages/policy/src/syntax/parse.js';
import { workloadKinds, workloadPolicy } from '../../bench/matrix-workloads.js';
import { fuzzRuns } from './fuzz-runs.js';
import { random, shippedPolicies } from './policy-seeds.js';

const runs = fuzzRuns(1_500);

const seeds = shippedPolicies;


// Words that begin statements, in places where they must not end one; tokens that make the same
// statement shape carry other values.
const inserts = [
  'rule', 'default', 'fact', 'mode', 'max', '.rule', '.default', '.fact', 'tool.args.rule', 'tool.args.default', 'x.mode', ' # rule x: when\n',
  '\n', 'and', 'or', 'not', 'then', 'stop', 'escalate', 'continue', '"rule"', '"a"', '12', '5m', '/rule/', '(', ')', ':', '.', '[0]', '["max"]',
  'rule r9: when step > 1 then stop\n', 'default escalate\n', 'fact rule_count: number\n', 'priority 3',
  'tool', 'tool.name', 'tool refund(amount: number, note?: string, ...)\n', 'tool "odd name"()\n', 'reset tool',
];

function mutate(text: string, rng: ReturnType<typeof random>): string {
  const tokens = text.match(/\s+|"(?:\\.|[^"\\\n])*"|\/(?:\\.|[^/\\\n])+\/[a-z]*|\w+|[^\s\w]/g) ?? [];
  for (let edits = 1 + rng.int(3); edits > 0; edits--) {
    const at = rng.int(tokens.length + 1);
    switch (rng.int(5)) {
      case 0: tokens.splice(at, 1); break;
      case 1: tokens.splice(at, 0, tokens[at] ?? ''); break;
      case 2: { const other = rng.int(tokens.length); [tokens[at], tokens[other]] = [tokens[other] ?? '', tokens[at] ?? '']; break; }
      default: tokens.splice(at, 0, ` ${rng.pick(inserts)} `);
    }
  }
  return tokens.join('');
}

/** The AST, or the error's message and diagnostics, of one way of parsing. */
function outcome(parse: (source: string, options: { file: string }) => unknown, source: string): unknown {
  try {
    return { ast: parse(source, { file: 'p.policy' }) };
  } catch (error) {
    return { error: (error as Error).message, diagnostics: (error as { diagnostics?: unknown }).diagnostics };
  }
}

describe('parsing statement by statement', () => {
  it(`gives the whole parse's AST or error on mutated policies (${runs} inputs)`, () => {
    const differences: string[] = [];
    let parsed = 0;
    for (let i = 0; i < runs && differences.length < 5; i++) {
      const rng = random(i + 1);
      const source = mutate(rng.pick(seeds), rng);
      const whole = outcome(parseWhole, source);
      if ('ast' in (whole as object)) parsed++;
      try {
        expect(outcome(parsePolicy, source)).toEqual(whole);
      } catch {
        differences.push(`input #${i + 1}: ${JSON.stringify(source)}`);
      }
    }
    expect(differences).toEqual([]);
    // The mutations keep a good share of the inputs valid, so both paths are exercised.
    expect(parsed).toBeGreaterThan(runs / 10);
  }, 300_000);

  it(`compiles every policy it accepts to a document that meets the JSON Schema (${runs} inputs)`, () => {
    const problems: string[] = [];
    let compiled = 0;
    for (let i = 0; i < runs && problems.length < 5; i++) {
      const rng = random(i + 1);
      const source = mutate(rng.pick(seeds), rng);
      let document: unknown;
      try {
        document = compileToDocument(source);
      } catch (error) {
        if (PolicyError.isInstance(error)) continue;
        throw error;
      }
      compiled++;
      const diagnostics = validateDocument(document, () => ({ line: 1, col: 1, offset: 0, length: 0 }));
      if (diagnostics.length) problems.push(`input #${i + 1}: ${diagnostics[0]!.message}\n${JSON.stringify(source)}`);
    }
    for (const kind of workloadKinds) expect(validateDocument(compileToDocument(workloadPolicy(kind, 200)), () => ({ line: 1, col: 1, offset: 0, length: 0 }))).toEqual([]);
    expect(problems).toEqual([]);
    expect(compiled).toBeGreaterThan(runs / 20);
  }, 300_000);

  it('gives the same AST for the shipped policies and the benchmark policies of 200 rules', () => {
    for (const source of [...seeds, ...workloadKinds.map((kind) => workloadPolicy(kind, 200))]) expect(parsePolicy(source)).toEqual(parseWhole(source));
  });

  it('reads each statement of a repeated shape with its own names, values and places', () => {
    const source = 'policy p # head\nrule a: when tool.args.rule > 1 then stop "one"\nrule b: when tool.args.default > 22 then stop "two" # tail\n';
    const ast = parsePolicy(source);
    expect(ast).toEqual(parseWhole(source));
    const [a, b] = ast.statements as Array<{ name: { name: string }; span: { line: number } }>;
    expect([a!.name.name, a!.span.line, b!.name.name, b!.span.line]).toEqual(['a', 2, 'b', 3]);
    expect(ast.comments.map((comment) => comment.text)).toEqual(['# head', '# tail']);
  });
});
