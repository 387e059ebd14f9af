// Reading a test file: JSON → schema → the policy it tests → names checked against that policy →
// cases ready to run, each knowing where it is in the file.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Span } from '../ast.js';
import { loadPolicyFile } from '../compile/compile.js';
import { PolicyError } from '../errors.js';
import { jsonPositions, lineAndColumn } from '../compile/json-positions.js';
import type { Policy } from '../policy.js';
import type { Turn } from '../turn.js';
import { historyOfTurns, type RunHistory } from '../history.js';
import { PolicyTestError, type PolicyTestDiagnostic } from './errors.js';
import { toMilliseconds } from './duration.js';
import { policyTestFileSuffix, type ConversationStep, type Expectation, type PolicyTestFileDefinition, type TestCaseDefinition, type TestTurn } from './format.js';
import { schemaDiagnostics, type Locator } from './schema.js';
import { didYouMean } from '../suggest.js';

/** One turn to decide, the decision it must get, and what to do next if it escalates. */
export interface PolicyTestStep {
  /** The turn as given, defaults merged; in a conversation, `step` and `autoReplies` are filled in when run. */
  turn: Turn;
  expect?: Expectation;
  /** The person's answer if the turn escalates (conversations only): `""` is no answer. */
  answer: string;
  /** Where the turn is in the test file (the case, for a single turn). */
  span: Span;
}

/** One named case of a test file. */
export interface PolicyTestCase {
  name: string;
  span: Span;
  /** A conversation carries its counters from turn to turn; a single turn is decided alone. */
  kind: 'turn' | 'conversation';
  steps: PolicyTestStep[];
  /** Conversations only: the counters the first turn starts from. */
  start: { step: number; autoReplies: number };
  /** The host's custom facts (`DecideOptions.facts`): the case's, or else the file's. */
  facts: Record<string, unknown>;
  humanAvailable: boolean;
  /** The run's history before the case's first turn: built from the case's `history` turns, else empty. */
  history: RunHistory;
}

/** A test file, checked and ready to run. */
export interface PolicyTestSuite {
  /** The test file, as named by the caller. */
  file: string;
  source: string;
  /** The policy file it tests. */
  policyFile: string;
  policy: Policy;
  cases: PolicyTestCase[];
  /** What path conditions resolve against: the file's `paths`. */
  paths: { workingDirectory?: string; home?: string };
}

export interface LoadPolicyTestOptions {
  /**
   * Loads the policy a test file names; by default `loadPolicyFile`. Pass a cache to load each
   * policy once when several test files test it, so their coverage adds up.
   */
  loadPolicy?: (path: string) => Promise<Policy>;
}

/** The end of a JSON value that starts at `offset`: a string's closing quote, a literal's last character. */
function valueLength(text: string, offset: number): number {
  if (text[offset] === '"') {
    let i = offset + 1;
    while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
    return i - offset + 1;
  }
  if (text[offset] === '{' || text[offset] === '[') return 1;
  let i = offset;
  while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
  return Math.max(1, i - offset);
}

function locator(text: string): Locator {
  const positions = jsonPositions(text);
  const offsetOf = (pointer: string) => {
    let at = pointer;
    while (!positions.has(at) && at.includes('/')) at = at.slice(0, at.lastIndexOf('/'));
    return { offset: positions.get(at) ?? 0, exact: at === pointer };
  };
  const span = (offset: number, length: number): Span => ({ ...lineAndColumn(text, offset), offset, length });
  return {
    value(pointer) {
      const { offset } = offsetOf(pointer);
      return span(offset, valueLength(text, offset));
    },
    key(pointer) {
      const { offset, exact } = offsetOf(pointer);
      if (!exact) return span(offset, valueLength(text, offset));
      // Back from the value over the colon to the key's closing quote, then to its opening one.
      let i = offset - 1;
      while (i > 0 && /\s/.test(text[i] as string)) i--;
      if (text[i] !== ':') return span(offset, valueLength(text, offset));
      i--;
      while (i > 0 && /\s/.test(text[i] as string)) i--;
      const end = i;
      i--;
      while (i > 0 && !(text[i] === '"' && text[i - 1] !== '\\')) i--;
      return span(i, end - i + 1);
    },
  };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = Math.min(text.length, Number(/position (\d+)/.exec(message)?.[1] ?? text.length));
    const { line, col } = lineAndColumn(text, offset);
    throw new PolicyTestError([{ code: 'INVALID_TEST_FILE', message: `not valid JSON: ${message.replace(/ in JSON at position.*$/, '')}`, span: { line, col, offset, length: 1 } }], text, file);
  }
}

/** The policy a test file tests: the one it names, or the file's name without `.test.json`. */
export function policyPathOf(testFile: string, named: string | undefined): string {
  if (named !== undefined) return join(dirname(testFile), named);
  const name = basename(testFile);
  return join(dirname(testFile), name.endsWith(policyTestFileSuffix) ? name.slice(0, -'.test.json'.length) : name.replace(/\.test\.json$|\.json$/, '.policy'));
}

function toTurn(turn: TestTurn): Turn {
  const { elapsedMs, ...rest } = turn;
  return { ...(rest as Turn), ...(elapsedMs !== undefined ? { elapsedMs: toMilliseconds(elapsedMs) } : {}) };
}

function merge(...turns: Array<TestTurn | undefined>): TestTurn {
  const merged: TestTurn = {};
  let facts: Record<string, unknown> | undefined;
  for (const turn of turns) {
    if (!turn) continue;
    Object.assign(merged, turn);
    if (turn.facts) facts = { ...facts, ...turn.facts };
  }
  if (facts) merged.facts = facts;
  return merged;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * What a test file says that only its policy can confirm: rule and fact names. Reads the file as
 * it is, even where it breaks the schema, so these problems are reported with the others.
 */
function namesDiagnostics(data: unknown, policy: Policy, at: Locator): PolicyTestDiagnostic[] {
  const diagnostics: PolicyTestDiagnostic[] = [];
  const rules = policy.document.rules.map((rule) => rule.name);
  const declared = Object.keys(policy.document.facts);
  const checkRule = (name: unknown, pointer: string) => {
    if (typeof name === 'string' && !rules.includes(name))
      diagnostics.push({ code: 'UNKNOWN_RULE', message: withHint(`policy ${policy.name} has no rule "${name}"`, name, rules), span: at.value(pointer), expected: rules });
  };
  const checkExpectation = (expectation: unknown, pointer: string) => {
    if (!isRecord(expectation)) return;
    checkRule(expectation.rule, `${pointer}/rule`);
    arrayOf(expectation.held).forEach((name, i) => checkRule(name, `${pointer}/held/${i}`));
  };
  const checkFacts = (facts: unknown, pointer: string) => {
    if (!isRecord(facts)) return;
    for (const name of Object.keys(facts)) {
      if (declared.includes(name)) continue;
      const message = declared.length ? withHint(`policy ${policy.name} declares no fact "${name}"`, name, declared) : `policy ${policy.name} declares no custom facts, so "${name}" is never read`;
      diagnostics.push({ code: 'UNKNOWN_FACT', message, span: at.key(`${pointer}/${escapePointer(name)}`), ...(declared.length ? { expected: declared } : {}) });
    }
  };
  const turnFacts = (turn: unknown, pointer: string) => checkFacts(isRecord(turn) ? turn.facts : undefined, `${pointer}/facts`);
  if (!isRecord(data)) return diagnostics;
  checkFacts(data.facts, '/facts');
  turnFacts(data.defaults, '/defaults');
  arrayOf(data.cases).forEach((item, i) => {
    if (!isRecord(item)) return;
    const pointer = `/cases/${i}`;
    checkFacts(item.facts, `${pointer}/facts`);
    turnFacts(item.defaults, `${pointer}/defaults`);
    turnFacts(item.turn, `${pointer}/turn`);
    checkExpectation(item.expect, `${pointer}/expect`);
    arrayOf(item.conversation).forEach((step, j) => {
      if (!isRecord(step)) return;
      turnFacts(step.turn, `${pointer}/conversation/${j}/turn`);
      checkExpectation(step.expect, `${pointer}/conversation/${j}/expect`);
    });
  });
  return diagnostics;
}

/** `message; did you mean "x"?` when a known name is close to `name`. */
function withHint(message: string, name: string, known: readonly string[]): string {
  const hint = didYouMean(name, known);
  return hint ? `${message}; ${hint}` : message;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function toCase(definition: PolicyTestFileDefinition, item: TestCaseDefinition, index: number, at: Locator): PolicyTestCase {
  const pointer = `/cases/${index}`;
  const humanAvailable = item.humanAvailable ?? true;
  const facts = { ...(item.facts ?? definition.facts) };
  // Built as the supervisor builds it, from the earlier turns as written: defaults do not apply to them.
  const history = historyOfTurns((item.history ?? []).map(toTurn));
  if (!item.conversation) {
    const turn = toTurn(merge(definition.defaults, item.defaults, item.turn));
    return { name: item.name, span: at.value(pointer), kind: 'turn', steps: [{ turn, expect: item.expect!, answer: '', span: at.value(pointer) }], start: { step: 1, autoReplies: 0 }, facts, humanAvailable, history };
  }
  // In a conversation the defaults' counters are where counting starts, not a value for every turn.
  const defaults = merge(definition.defaults, item.defaults);
  const { step = 1, autoReplies = 0, ...shared } = defaults;
  const steps = item.conversation.map((entry: ConversationStep, j) => ({
    turn: toTurn(merge(shared, entry.turn)),
    ...(entry.expect ? { expect: entry.expect } : {}),
    answer: entry.answer ?? '',
    span: at.value(`${pointer}/conversation/${j}`),
  }));
  return { name: item.name, span: at.value(pointer), kind: 'conversation', steps, start: { step, autoReplies }, facts, humanAvailable, history };
}

/** Problems with the file's own shape, before its policy is known: every one, not the first. */
function shapeDiagnostics(data: unknown, at: Locator): PolicyTestDiagnostic[] {
  const diagnostics = schemaDiagnostics(data, at);
  const seen = new Map<string, number>();
  arrayOf(isRecord(data) ? data.cases : undefined).forEach((item, i) => {
    const name = isRecord(item) ? item.name : undefined;
    if (typeof name !== 'string') return;
    if (seen.has(name))
      diagnostics.push({ code: 'INVALID_TEST_FILE', message: `/cases/${i}/name: a case named ${JSON.stringify(name)} comes earlier (case ${seen.get(name)! + 1}); names tell failures apart`, span: at.value(`/cases/${i}/name`) });
    else seen.set(name, i);
  });
  return diagnostics;
}

/** Every problem in the order of the file, so a reader fixes them top to bottom. */
const inFileOrder = (diagnostics: PolicyTestDiagnostic[]) => [...diagnostics].sort((a, b) => a.span.offset - b.span.offset);

/**
 * The suite, or a PolicyTestError with every problem the file has: its shape, its names against
 * the policy, the policy that cannot be read.
 */
function suiteOf(data: unknown, at: Locator, text: string, file: string, policy: Policy | undefined, policyFile: string, problems: PolicyTestDiagnostic[]): PolicyTestSuite {
  const diagnostics = [...problems, ...(policy ? namesDiagnostics(data, policy, at) : [])];
  if (diagnostics.length || !policy) throw new PolicyTestError(inFileOrder(diagnostics), text, file);
  const definition = data as PolicyTestFileDefinition;
  return { file, source: text, policyFile, policy, cases: definition.cases.map((item, i) => toCase(definition, item, i, at)), paths: { ...definition.paths } };
}

/**
 * Checks a test file's text against a policy already loaded, and returns its cases ready to run.
 * Throws a PolicyTestError with every problem, positioned.
 *
 * @example
 * const policy = compilePolicy('policy demo\nrule done: when content == "TERMINATE" then stop');
 * const suite = parsePolicyTests('{"cases": [{"name": "ends", "turn": {"content": "TERMINATE"}, "expect": {"action": "stop", "rule": "done"}}]}', { policy });
 */
export function parsePolicyTests(text: string, options: { policy: Policy; file?: string; policyFile?: string }): PolicyTestSuite {
  const file = options.file ?? '<tests>';
  const data = parseJson(text, file);
  const at = locator(text);
  return suiteOf(data, at, text, file, options.policy, options.policyFile ?? options.policy.file ?? '<policy>', shapeDiagnostics(data, at));
}

/**
 * Reads a test file and the policy it tests. Throws a PolicyTestError with every problem in the
 * test file (its shape, names the policy lacks, a policy that cannot be read), or, when the test
 * file has none, the PolicyError of a policy that does not compile.
 *
 * @example
 * const suite = await loadPolicyTestFile('policies/invoices.policy.test.json');
 * const result = await runPolicyTestSuite(suite);
 */
export async function loadPolicyTestFile(file: string, options: LoadPolicyTestOptions = {}): Promise<PolicyTestSuite> {
  const text = await readFile(file, 'utf8');
  const data = parseJson(text, file);
  const at = locator(text);
  const problems = shapeDiagnostics(data, at);
  const named = isRecord(data) && typeof data.policy === 'string' ? data.policy : undefined;
  const policyFile = policyPathOf(file, named);
  let policy: Policy | undefined;
  try {
    policy = await (options.loadPolicy ?? loadPolicyFile)(policyFile);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : 'permission denied';
      const place = named !== undefined ? at.value('/policy') : at.value('');
      const hint = named === undefined ? `; name it with "policy": "FILE.policy"` : '';
      problems.push({ code: 'POLICY_NOT_FOUND', message: `cannot read the policy ${policyFile}: ${why}${hint}`, span: place });
    } else if (!(PolicyError.isInstance(error) && problems.length)) throw error;
    // A policy that does not compile is reported on its own (see runPolicyTests); the test file's problems here.
  }
  return suiteOf(data, at, text, file, policy, policyFile, problems);
}

/** A loader that reads each policy once, by absolute path. */
export function cachedPolicyLoader(): (path: string) => Promise<Policy> {
  const cache = new Map<string, Promise<Policy>>();
  return (path) => {
    const key = resolve(path);
    let found = cache.get(key);
    if (!found) cache.set(key, (found = loadPolicyFile(path)));
    return found;
  };
}
