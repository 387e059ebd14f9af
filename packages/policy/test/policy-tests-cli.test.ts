// `handrail test` on the example policies and on test files written to a temporary directory, in
// this process through runCli and once as a user runs it, the real executable in a child process. Asserts what the user (or a CI
// system reading the JSON or JUnit report) sees, and the exit codes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { handrail, handrailBin, timeout } from './run-handrail.js';
import { runCli } from '../src/cli/run-cli.js';




const reviewPolicy = `policy review_desk
mode terminate

rule review: when content contains "NEEDS_REVIEW" then escalate "the agent asked for a review" via ap
rule payments: when tool.name in ["transfer_funds", "refund"] and tool.args.amount > 100
               then escalate "large payment" timeout 10m else stop
rule done: when content ends with "TERMINATE" and not content contains "WAIT" then stop "finished"
`;

const passing = {
  cases: [
    { name: 'review escalates', turn: { content: 'Invoice 4 NEEDS_REVIEW' }, expect: { action: 'escalate', rule: 'review', channel: 'ap' } },
    { name: 'plain work continues', turn: { content: 'Booked invoice 5' }, expect: { action: 'continue', rule: null } },
    { name: 'TERMINATE ends', turn: { content: 'Booked. TERMINATE' }, expect: { action: 'stop', rule: 'done', reason: 'finished' } },
  ],
};

const failing = {
  cases: [
    { name: 'review escalates', turn: { content: 'Invoice 4 NEEDS_REVIEW' }, expect: { action: 'escalate', rule: 'review' } },
    { name: 'a lower-case review escalates', turn: { content: 'please review invoice 6' }, expect: { action: 'escalate', rule: 'review' } },
  ],
};

const conversation = {
  policy: 'review.policy',
  cases: [
    {
      name: 'goes on after TERMINATE',
      conversation: [{ turn: { content: 'Booked. TERMINATE' }, expect: { action: 'stop', rule: 'done' } }, { turn: { content: 'one more' } }],
    },
  ],
};

// A typo in a turn's field, on line 4.
const malformed = `{
  "policy": "review.policy",
  "cases": [
    { "name": "typo", "turn": { "content": "x", "autoReply": 3 }, "expect": { "action": "continue", "rule": null } }
  ]
}
`;

// Characters that XML must escape, and one it cannot carry at all, in a case name and a turn.
const awkward = {
  policy: 'review.policy',
  cases: [
    { name: 'quotes "double" & \'single\' <tags>', turn: { content: 'a < b & c > d NEEDS_REVIEW' }, expect: { action: 'continue', rule: null } },
    { name: 'bell \u0007 and ]]> end', turn: { content: 'Booked' }, expect: { action: 'continue', rule: null } },
  ],
};

let dir: string;
const path = (...parts: string[]) => join(dir, ...parts);
const write = (name: string, content: unknown) => writeFileSync(path(name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handrail-test-'));
  for (const sub of ['passing', 'failing', 'conversation', 'malformed', 'awkward', 'gaps', 'empty', 'watched']) mkdirSync(path(sub));
  write('watched/review.policy', reviewPolicy);
  write('watched/review.policy.test.json', passing);
  write('passing/review.policy', reviewPolicy);
  write('passing/review.policy.test.json', passing);
  write('failing/review.policy', reviewPolicy);
  write('failing/review.policy.test.json', failing);
  write('conversation/review.policy', reviewPolicy);
  write('conversation/conversation.policy.test.json', conversation);
  write('malformed/review.policy', reviewPolicy);
  write('malformed/review.policy.test.json', malformed);
  write('awkward/review.policy', reviewPolicy);
  write('awkward/awkward.policy.test.json', awkward);
  write('gaps/review.policy', reviewPolicy);
  write('gaps/review.policy.test.json', passing);
  write('gaps/untested.policy', 'policy untested\nrule a: when content == "a" then stop\n');
  write('empty/untested.policy', 'policy untested\nrule a: when content == "a" then stop\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lastLine = (text: string) => text.trimEnd().split('\n').pop();
const stackLine = /^\s+at /m;

describe.concurrent('handrail test', { timeout }, () => {
  it('passes the example policies with full rule coverage (the real executable)', async ({ expect }) => {
    const result = await handrailBin('test', 'examples/policies', '--coverage', '--coverage-threshold', '100');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const name of ['adaptive', 'batch-analysis', 'customer-emails', 'invoices', 'payments'])
      expect(result.stdout).toMatch(new RegExp(`^PASS examples/policies/${name}\\.policy\\.test\\.json`, 'm'));
    expect(result.stdout).toMatch(/^ {2}examples\/policies\/payments\.policy +rules 4\/4 100% {2}conditions 9\/9 100%$/m);
    expect(result.stdout).not.toContain('never held');
    expect(lastLine(result.stdout)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it('reports a failing case with expected against actual and the trace, and exits 1', async ({ expect }) => {
    const result = await handrail('test', path('failing'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAIL ${path('failing', 'review.policy.test.json')}  (${path('failing', 'review.policy')}, 1 of 2 cases failed)`);
    expect(result.stdout).toContain(`✗ ${path('failing', 'review.policy.test.json')}:13:5 › a lower-case review escalates`);
    expect(result.stdout).toContain('    turn: {"content":"please review invoice 6"}');
    expect(result.stdout).toContain('    expected: escalate  (rule review)');
    expect(result.stdout).toContain('    actual:   continue  (default) no rule matched');
    expect(result.stdout).toContain('      action: expected "escalate", got "continue"');
    expect(result.stdout).toContain('      rule: expected "review", got null');
    expect(result.stdout).toContain('    ✗ review → escalate\n      ✗ content contains "NEEDS_REVIEW"  saw "please review invoice 6"');
    expect(result.stdout).not.toMatch(stackLine);
    expect(lastLine(result.stdout)).toBe('1 passed, 1 failed');
  });

  it('runs the same tests on json-rules-engine with --engine reference', async ({ expect }) => {
    const result = await handrail('test', path('failing'), '--engine', 'reference', '--reporter', 'json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.engine).toBe('reference');
    expect([report.passed, report.failed]).toEqual([1, 1]);
  });

  it('reports a conversation that ends before its last turn', async ({ expect }) => {
    const result = await handrail('test', path('conversation'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('the conversation ended at turn 1 (rule done stopped it), but 1 more turn follows');
    expect(result.stdout).toContain('turn 1 of 2: {"content":"Booked. TERMINATE","step":1,"autoReplies":0}');
    expect(result.stdout).toContain('decided:  stop  (rule done) finished');
  });

  it('prints a malformed test file as a positioned code frame, and exits 1', async ({ expect }) => {
    const file = path('malformed', 'review.policy.test.json');
    const result = await handrail('test', path('malformed'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`FAIL ${file}  (could not be loaded: INVALID_TEST_FILE)`);
    expect(result.stdout).toContain(`${file}:4:49: error INVALID_TEST_FILE: /cases/0/turn: unknown property "autoReply"`);
    expect(result.stdout).toContain('> 4 |     { "name": "typo", "turn": { "content": "x", "autoReply": 3 }, "expect": { "action": "continue", "rule": null } }');
    expect(result.stdout).toMatch(/^ {8}\| {49}\^{11}$/m);
    expect(result.stdout).toContain('expected one of: content, role, sender, source, tool, toolCalls, error, step, autoReplies,');
    expect(result.stdout).not.toMatch(stackLine);
    expect(lastLine(result.stdout)).toBe('0 passed, 1 failed');
  });

  it('lists the rules and conditions no case exercised with --coverage', async ({ expect }) => {
    const result = await handrail('test', path('gaps'), '--coverage');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`NONE ${path('gaps', 'untested.policy')}  (no tests)`);
    expect(result.stdout).toMatch(/review\.policy +rules 2\/6 33\.3% {2}conditions 2\/11 18\.2%/);
    expect(result.stdout).toContain('    rule never held: payments');
    expect(result.stdout).toContain('    rule never held: terminate.ask_at_limit');
    expect(result.stdout).toContain('    condition never true: payments: tool.name in ["transfer_funds", "refund"]');
    expect(result.stdout).toContain('    condition never true: done: not content contains "WAIT"');
    expect(result.stdout).toContain('    condition never false: terminate.ask_at_limit: max_auto_replies > 0');
    expect(result.stdout).toMatch(/untested\.policy +rules 0\/1 0% {2}conditions 0\/1 0%\n {4}no case decides a turn with this policy/);
    expect(lastLine(result.stdout)).toBe('3 passed, 0 failed');
  });

  it('fails under --coverage-threshold, naming each policy below it', async ({ expect }) => {
    const below = await handrail('test', path('passing'), '--coverage-threshold', '50');
    expect(below.code).toBe(1);
    expect(below.stdout).toContain(`rule coverage of ${path('passing', 'review.policy')} is 33.3%, below the threshold of 50%`);
    expect(lastLine(below.stdout)).toBe('3 passed, 0 failed');
    const above = await handrail('test', path('passing'), '--coverage-threshold', '33');
    expect(above.code).toBe(0);
  });

  it('writes a JSON report that programs can read', async ({ expect }) => {
    const result = await handrail('test', path('failing'), path('malformed'), '--reporter', 'json', '--coverage-threshold', '100');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.format).toBe('handrail.policy-test-report/v1');
    expect([report.passed, report.failed]).toEqual([1, 2]);
    const [file] = report.files;
    expect(file.policy).toMatchObject({ name: 'review_desk', file: path('failing', 'review.policy') });
    expect(file.cases.map((c: { status: string }) => c.status)).toEqual(['passed', 'failed']);
    const { failure } = file.cases[1];
    expect(failure).toMatchObject({ turn: 0, line: 13, col: 5, input: { content: 'please review invoice 6' }, expected: { action: 'escalate', rule: 'review' } });
    expect(failure.actual).toMatchObject({ action: 'continue', rule: null, held: [] });
    expect(failure.mismatches).toEqual([
      { field: 'action', expected: 'escalate', actual: 'continue' },
      { field: 'rule', expected: 'review', actual: null },
    ]);
    expect(failure.text).toContain('✗ content contains "NEEDS_REVIEW"  saw "please review invoice 6"');
    expect(report.errors).toEqual([expect.objectContaining({ file: path('malformed', 'review.policy.test.json'), code: 'INVALID_TEST_FILE', line: 4, col: 49 })]);
    const [coverage] = report.coverage.policies;
    expect(report.coverage.threshold).toBe(100);
    expect(coverage).toMatchObject({ policy: 'review_desk', belowThreshold: true, rules: { total: 6, covered: 1 } });
    expect(coverage.rules.uncovered).toContain('payments');
    expect(coverage.conditions.uncovered).toContainEqual({ rule: 'payments', path: '/all/1', condition: 'tool.args.amount > 100', missing: 'never true' });
  });

  it('writes JUnit XML that parses, with every awkward character escaped', async ({ expect }) => {
    const result = await handrail('test', path('awkward'), path('failing'), path('malformed'), '--reporter', 'junit', '--coverage-threshold', '100');
    expect(result.code).toBe(1);
    const document = parseXml(result.stdout);
    expect(document.name).toBe('testsuites');
    expect(document.attributes).toMatchObject({ name: 'handrail test', tests: '7', failures: '4', errors: '1' });
    const suites = document.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === 'testsuite');
    expect(suites.map((suite) => suite.attributes.name)).toEqual([
      path('awkward', 'awkward.policy.test.json'),
      path('failing', 'review.policy.test.json'),
      path('malformed', 'review.policy.test.json'),
      'coverage',
    ]);
    const cases = (suite: XmlElement) => suite.children.filter((child): child is XmlElement => typeof child !== 'string' && child.name === 'testcase');
    const [quoted, bell] = cases(suites[0]!);
    expect(quoted!.attributes.name).toBe('quotes "double" & \'single\' <tags>');
    expect(bell!.attributes.name).toBe('bell \uFFFD and ]]> end');
    // The first case expects a continue, but NEEDS_REVIEW escalates: its failure carries the turn's text, escaped.
    const failure = quoted!.children.find((child): child is XmlElement => typeof child !== 'string' && child.name === 'failure')!;
    expect(failure.attributes.message).toBe('action: expected "continue", got "escalate"; rule: expected null, got "review"');
    expect(failure.text).toContain('turn: {"content":"a < b & c > d NEEDS_REVIEW"}');
    expect(failure.text).toContain('✓ review → escalate  (decides)');
    const [failingSuite, malformedSuite, coverageSuite] = suites.slice(1);
    expect(failingSuite!.attributes).toMatchObject({ tests: '2', failures: '1' });
    const error = cases(malformedSuite!)[0]!.children.find((child): child is XmlElement => typeof child !== 'string' && child.name === 'error')!;
    expect(error.attributes.type).toBe('INVALID_TEST_FILE');
    expect(error.text).toContain('unknown property "autoReply"');
    expect(cases(coverageSuite!).map((c) => c.attributes.name)).toEqual([
      `rule coverage of ${path('awkward', 'review.policy')} is at least 100%`,
      `rule coverage of ${path('failing', 'review.policy')} is at least 100%`,
    ]);
  });

  it('writes the report to --output and the text report to stdout', async ({ expect }) => {
    const output = path('junit.xml');
    const result = await handrail('test', path('passing'), '--reporter', 'junit', '--output', output);
    expect(result.code).toBe(0);
    expect(lastLine(result.stdout)).toBe('3 passed, 0 failed');
    const document = parseXml(readFileSync(output, 'utf8'));
    expect(document.attributes).toMatchObject({ tests: '3', failures: '0', errors: '0' });
  });

  it('says when there are no tests to run, and exits 1', async ({ expect }) => {
    const result = await handrail('test', path('empty'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`handrail: no policy tests (*.policy.test.json) found in ${path('empty')} (1 policy has none: ${path('empty', 'untested.policy')})\n`);
  });

  it('says in one line that a path does not exist', async ({ expect }) => {
    const result = await handrail('test', path('nowhere'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`handrail: ${path('nowhere')}: no such file or directory\n`);
  });

  it('rejects wrong usage with exit code 2', async ({ expect }) => {
    const reporter = await handrail('test', path('passing'), '--reporter', 'xml');
    expect(reporter.code).toBe(2);
    expect(reporter.stderr).toBe('handrail: --reporter must be one of text, json, junit, not "xml"\n');
    const threshold = await handrail('test', path('passing'), '--coverage-threshold', '120');
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toContain('--coverage-threshold must be a percentage from 0 to 100');
    const option = await handrail('test', '--covrage');
    expect(option.code).toBe(2);
    expect(option.stderr).toBe('handrail test: unknown option --covrage\ndid you mean --coverage? Run handrail test --help for its usage.\n');
  });

  it('runs again with --watch when a policy changes, and shows the new run', async ({ expect }) => {
    let stdout = '';
    let stderr = '';
    const stop = new AbortController();
    const running = runCli(['test', path('watched'), '--watch'], { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), signal: stop.signal });
    try {
      await vi.waitFor(() => expect(stdout).toContain('watching'), { timeout: 30_000, interval: 50 });
      expect(stdout).toContain('3 passed, 0 failed');
      // The review rule now wants lower case: the case with NEEDS_REVIEW fails.
      writeFileSync(path('watched', 'review.policy'), reviewPolicy.replace('"NEEDS_REVIEW"', '"needs_review"'));
      await vi.waitFor(() => expect(stdout.split('watching').length).toBe(3), { timeout: 30_000, interval: 50 });
    } finally {
      stop.abort();
    }
    expect(await running).toBe(1);
    const rerun = stdout.slice(stdout.indexOf('review.policy changed: running the tests again'));
    expect(rerun).toContain(`FAIL ${path('watched', 'review.policy.test.json')}`);
    expect(rerun).toContain('2 passed, 1 failed');
    // One save is one run, not one run per write event.
    expect(stdout.match(/running the tests again/g)).toHaveLength(1);
    expect(stderr).toBe('');
  });

  it('is listed in the help', async ({ expect }) => {
    const result = await handrail('help');
    expect(result.stdout).toMatch(/^ {2}test +run policy tests/m);
  });
});

// A small, strict XML reader for the tests of the JUnit report: elements, attributes, text and
// the five predefined entities and character references. It throws on anything that is not
// well-formed, which is the point: a report a CI system cannot read fails the test.

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
  /** All text inside, unescaped. */
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// Characters XML 1.0 allows (tab, line feed, carriage return, and from space up, minus U+FFFE/U+FFFF).
const allowed = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function unescape(text: string, where: number): string {
  if (!allowed.test(text)) throw new Error(`character not allowed in XML near offset ${where}`);
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) throw new Error(`bare & near offset ${where}`);
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
    ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : entities[ref]!,
  );
}

/** Parses a document with an optional XML declaration and one root element. */
function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  const space = () => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  const name = () => {
    const match = /^[A-Za-z_][\w.-]*/.exec(source.slice(i));
    if (!match) fail('expected a name');
    i += match![0].length;
    return match![0];
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      space();
      if (source.startsWith('/>', i)) {
        i += 2;
        return { name: tag, attributes, children: [], text: '' };
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attribute = name();
      if (attribute in attributes) fail(`attribute ${attribute} repeated`);
      space();
      if (source[i] !== '=') fail('expected =');
      i++;
      space();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted value');
      const end = source.indexOf(quote!, i + 1);
      if (end < 0) fail('unterminated attribute');
      const raw = source.slice(i + 1, end);
      if (raw.includes('<')) fail('< in an attribute');
      // Literal line breaks and tabs in attributes are normalised to spaces, as parsers do.
      attributes[attribute] = unescape(raw.replace(/[\t\n\r]/g, ' '), i);
      i = end + 1;
    }
    const children: Array<XmlElement | string> = [];
    for (;;) {
      if (i >= source.length) fail(`unclosed <${tag}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        if (name() !== tag) fail(`mismatched </…> for <${tag}>`);
        space();
        if (source[i] !== '>') fail('expected >');
        i++;
        break;
      }
      if (source[i] === '<') children.push(element());
      else {
        const end = source.indexOf('<', i);
        const raw = source.slice(i, end < 0 ? source.length : end);
        if (raw.includes(']]>')) fail(']]> in text');
        children.push(unescape(raw, i));
        i += raw.length;
      }
    }
    const text = children.map((child) => (typeof child === 'string' ? child : child.text)).join('');
    return { name: tag, attributes, children, text };
  };
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
  }
  space();
  const rootElement = element();
  space();
  if (i !== source.length) fail('content after the root element');
  return rootElement;
}
