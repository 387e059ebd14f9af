// Deciding one turn: facts from the turn, the policy's evaluator, one resolved Decision.
// Anything that goes wrong on the way yields a fail-closed decision, never continue.
import { decisionFor, failClosed, type Decision, type RuleTrace, type TraceNode } from './decision.js';
import type { CompiledRule } from './document.js';
import { ConfigurationError } from './errors.js';
import type { FactType } from './facts.js';
import { findMistyped } from './engine/mistyped.js';
import { ReferenceEvaluator } from './engine/reference.js';
import { withDeadline } from './deadline.js';
import { MistypedValueError } from './operators.js';
import { preparedOf, type Policy, type PreparedPolicy } from './policy.js';
import { toolCallProblem } from './tool-calls.js';
import { builtInFactValues, InvalidTurnError, type FactProvider, type Turn, toolFact } from './turn.js';
import { engineParameterFacts } from './parameter-facts.js';

export interface DecideOptions {
  /** Custom facts: values or functions of the turn (sync or async). `turn.facts` wins over these. */
  facts?: Readonly<Record<string, FactProvider>>;
  /** Whether a person can be asked; when false, a failure to decide stops instead of escalating. */
  humanAvailable?: boolean;
  /** `decision` (default) explains the deciding rule; `all` explains every rule. */
  explain?: 'decision' | 'all';
  /** `fast` (default) or `reference` (json-rules-engine itself). */
  engine?: 'fast' | 'reference';
  /**
   * How long an asynchronous custom fact may take, in milliseconds (default 5,000). A fact still
   * unsettled then fails the decision closed with the code FACT_TIMEOUT.
   */
  factTimeoutMs?: number;
  /**
   * The absolute directory relative paths in path conditions resolve against (the tool's working
   * directory). Without it, relative paths resolve against an unknown directory, and a path that
   * climbs above it, or an absolute path compared with a relative one, fails closed.
   */
  workingDirectory?: string;
  /** The absolute home directory `~` stands for in path conditions; without it, `~` fails closed. */
  home?: string;
}

/** The options of a call that gives none (no object allocated per decision). */
const noOptions: DecideOptions = Object.freeze({});

/** What paths resolve against when the decision was given neither a working directory nor a home. */
const noDirectory = Object.freeze({});

/** How long an asynchronous custom fact may take by default. */
const defaultFactTimeoutMs = 5_000;

/** A failure while deciding, kept apart from bugs so it becomes a fail-closed decision. */
class DecidingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function typeOf(value: unknown): FactType {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'any';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? type : 'object';
}

function checked(name: string, declared: FactType, value: unknown): unknown {
  if (value !== undefined && value !== null && declared !== 'any' && typeOf(value) !== declared)
    throw new DecidingError('INVALID_FACT', `fact "${name}" must be ${declared}, but the host gave ${typeOf(value)}`);
  return value;
}

function provider(policy: Policy, turn: Turn, options: DecideOptions, name: string): FactProvider {
  const own = turn.facts && Object.prototype.hasOwnProperty.call(turn.facts, name);
  if (own) return turn.facts![name];
  if (options.facts && Object.prototype.hasOwnProperty.call(options.facts, name)) return options.facts[name];
  throw new DecidingError('MISSING_FACT', `policy ${policy.name} reads the fact "${name}", but the host did not provide it`);
}

function factFailed(name: string, error: unknown): DecidingError {
  if (error instanceof DecidingError) return error;
  return new DecidingError('FACT_FAILED', `fact "${name}" failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** Calls a custom fact's provider; returns its value or a promise of it, type-checked. */
function callProvider(policy: Policy, name: string, source: FactProvider, turn: Turn): unknown {
  const declared = policy.document.facts[name]!.type;
  let value: unknown;
  try {
    value = typeof source === 'function' ? (source as (turn: Turn) => unknown)(turn) : source;
  } catch (error) {
    throw factFailed(name, error);
  }
  if (value instanceof Promise || (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'))
    return Promise.resolve(value).then((v) => checked(name, declared, v), (error) => Promise.reject(factFailed(name, error)));
  return checked(name, declared, value);
}

/** Sets a fact as an own property, even one named `__proto__` (which assignment would not). */
function setFact(facts: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(facts, name, { value, enumerable: true, writable: true, configurable: true });
}

/** The facts of each tool call of the turn (one entry when the turn has no or one tool call). */
function builtInFactsPerCall(prepared: PreparedPolicy, policy: Policy, turn: Turn, options: DecideOptions): Record<string, unknown>[] {
  const facts = builtInFactsOfTurn(prepared, policy, turn, options);
  return Array.isArray(facts) ? facts : [facts];
}

/**
 * The facts of a turn: one object, or one per tool call when it has several. The common turn
 * (one or no tool call) allocates no list.
 */
function builtInFactsOfTurn(prepared: PreparedPolicy, policy: Policy, turn: Turn, options: DecideOptions): Record<string, unknown> | Record<string, unknown>[] {
  let base: Record<string, unknown>;
  try {
    const directory =
      options.workingDirectory === undefined && options.home === undefined
        ? noDirectory
        : { ...(options.workingDirectory !== undefined ? { workingDirectory: options.workingDirectory } : {}), ...(options.home !== undefined ? { home: options.home } : {}) };
    base = builtInFactValues(turn, policy.document.maxAutoReplies, prepared, directory);
    // No history is not an empty one: a history rule would silently never fire.
    if (prepared.readsHistory && base.history === undefined)
      throw new DecidingError('MISSING_FACT', `policy ${policy.name} reads the run's history, but the turn has none: decide through a supervisor, or give history (emptyHistory() on a run's first turn)`);
    if (turn.toolCalls !== undefined && !Array.isArray(turn.toolCalls)) throw new InvalidTurnError('toolCalls must be a list');
    // Deciding on one and ignoring the other could let the other through undecided.
    if (turn.tool !== undefined && turn.toolCalls !== undefined)
      throw new InvalidTurnError('the turn has both tool and toolCalls; give the call being gated as tool, or every call of the message as toolCalls');
    if (!turn.toolCalls?.length) {
      checkDeclaredCall(policy, base.tool as ReturnType<typeof toolFact>);
      return base;
    }
    const perCall = turn.toolCalls.map((call) => ({ ...base, tool: toolFact(call) }));
    for (const facts of perCall) checkDeclaredCall(policy, facts.tool as ReturnType<typeof toolFact>);
    return perCall;
  } catch (error) {
    if (error instanceof InvalidTurnError) throw new DecidingError('INVALID_TURN', `invalid turn: ${error.message}`);
    throw error;
  }
}

/** A call of a tool the policy declares must match the declaration, or the decision fails closed. */
function checkDeclaredCall(policy: Policy, call: ReturnType<typeof toolFact>): void {
  const tools = policy.document.tools;
  if (!call || !tools || !Object.hasOwn(tools, call.name)) return;
  const problem = toolCallProblem(call.name, tools[call.name]!, call.args);
  if (problem) throw new DecidingError('INVALID_TOOL_CALL', problem);
}

function explainRule(prepared: PreparedPolicy, index: number, facts: Record<string, unknown>): RuleTrace {
  const rule = prepared.rules[index]!;
  const conditions = prepared.fast.trace(facts, index);
  return { rule: rule.name, action: rule.event.type, priority: rule.priority, result: conditions.result, conditions };
}

/** The first rule in resolution order that holds for any tool call's facts decides. */
function resolveFast(prepared: PreparedPolicy, perCall: Record<string, unknown> | Record<string, unknown>[], options: DecideOptions): Decision {
  const { fast, rules, identity } = prepared;
  let winner = -1;
  let winnerFacts: Record<string, unknown>;
  if (!Array.isArray(perCall)) {
    winner = fast.firstFiring(perCall);
    winnerFacts = perCall;
  } else {
    winnerFacts = perCall[0]!;
    for (const facts of perCall) {
      const first = fast.firstFiring(facts);
      if (first >= 0 && (winner < 0 || first < winner)) {
        winner = first;
        winnerFacts = facts;
      }
    }
  }
  const explanation =
    options.explain === 'all' ? rules.map((_, index) => explainRule(prepared, index, winnerFacts)) : winner >= 0 ? [explainRule(prepared, winner, winnerFacts)] : [];
  if (winner < 0) return decisionFor(prepared.defaultEvent, null, identity, explanation);
  const rule = rules[winner]!;
  return decisionFor(rule.event, rule.name, identity, explanation);
}

function failed(prepared: PreparedPolicy, options: DecideOptions, error: unknown): Decision {
  const humanAvailable = options.humanAvailable ?? true;
  if (error instanceof DecidingError || error instanceof MistypedValueError) return failClosed(error.code, error.message, prepared.identity, humanAvailable);
  const message = error instanceof Error ? error.message : String(error);
  return failClosed('EVALUATION_FAILED', `evaluating the policy failed: ${message}`, prepared.identity, humanAvailable);
}

/**
 * Decides one turn synchronously with the fast evaluator. Custom facts must be plain values or
 * synchronous functions; use `decide` when any is async.
 *
 * @example
 * const decision = decideSync(policy, { content: 'TERMINATE', role: 'assistant', autoReplies: 3 });
 */
export function decideSync(policy: Policy, turn: Turn, options: DecideOptions = noOptions): Decision {
  const prepared = preparedOf(policy);
  if (options.engine === 'reference') throw new ConfigurationError('the reference engine is asynchronous: use decide()');
  try {
    if (!prepared.customFacts.length) return resolveFast(prepared, builtInFactsOfTurn(prepared, policy, turn, options), options);
    const perCall = builtInFactsPerCall(prepared, policy, turn, options);
    for (const name of prepared.customFacts) {
      const value = callProvider(policy, name, provider(policy, turn, options, name), turn);
      if (value instanceof Promise) {
        value.catch(() => undefined);
        throw new ConfigurationError(`fact "${name}" is asynchronous: use decide() instead of decideSync()`);
      }
      for (const facts of perCall) setFact(facts, name, value);
    }
    return resolveFast(prepared, perCall, options);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    return failed(prepared, options, error);
  }
}

const referenceEvaluators = new WeakMap<Policy, ReferenceEvaluator>();

/**
 * Decides one turn: continue, escalate or stop, with the deciding rule, the reason and an
 * explanation. Never rejects for a bad turn, a failing or slow fact, or a value of the wrong type:
 * those decide escalate (or stop). Only options that make no sense (a negative `factTimeoutMs`)
 * reject, with a ConfigurationError.
 *
 * @example
 * const policy = await loadPolicyFile('invoices.policy');
 * const decision = await decide(policy, { content: 'NEEDS_REVIEW: totals differ', role: 'assistant' });
 * decision.action; // 'escalate'
 */
export async function decide(policy: Policy, turn: Turn, options: DecideOptions = {}): Promise<Decision> {
  const prepared = preparedOf(policy);
  const timeout = options.factTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0))
    throw new ConfigurationError(`factTimeoutMs must be a finite number of milliseconds ≥ 0, not ${String(timeout)}`);
  try {
    const perCall = builtInFactsPerCall(prepared, policy, turn, options);
    const pending = startCustomFacts(policy, prepared, turn, options);
    if (options.engine === 'reference') return await decideByReference(policy, prepared, perCall, pending, options);
    const values = await settledFacts(pending);
    prepared.customFacts.forEach((name, i) => perCall.forEach((facts) => setFact(facts, name, values[i])));
    return resolveFast(prepared, perCall, options);
  } catch (error) {
    return failed(prepared, options, error);
  }
}

/**
 * Starts every custom fact the rules read, each async one under the fact deadline. Every fact is
 * computed on every turn, so which one fails never depends on the order of evaluation.
 */
function startCustomFacts(policy: Policy, prepared: PreparedPolicy, turn: Turn, options: DecideOptions): Promise<unknown>[] {
  const timeoutMs = options.factTimeoutMs ?? defaultFactTimeoutMs;
  return prepared.customFacts.map((name) => {
    try {
      const value = callProvider(policy, name, provider(policy, turn, options, name), turn);
      if (!(value instanceof Promise)) return Promise.resolve(value);
      return withDeadline(value, timeoutMs, () => {
        throw new DecidingError('FACT_TIMEOUT', `fact "${name}" did not settle within ${timeoutMs} ms`);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  });
}

/** The custom facts' values; the first to fail, in declaration order, fails the decision. */
async function settledFacts(pending: Promise<unknown>[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(pending);
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
}

async function decideByReference(policy: Policy, prepared: PreparedPolicy, perCall: Record<string, unknown>[], pending: Promise<unknown>[], options: DecideOptions): Promise<Decision> {
  let evaluator = referenceEvaluators.get(policy);
  if (!evaluator) referenceEvaluators.set(policy, (evaluator = new ReferenceEvaluator(policy.document.rules)));
  // json-rules-engine resolves facts itself, lazily, from these (already started) promises.
  const dynamic: Record<string, () => unknown> = {};
  prepared.customFacts.forEach((name, i) => setFact(dynamic, name, () => pending[i]));
  const runs: Array<{ fired: number[]; traces: Map<string, TraceNode> }> = [];
  let failure: { error: unknown; facts: Record<string, unknown> } | undefined;
  for (const facts of perCall) {
    try {
      // Parameterised facts are json-rules-engine dynamic facts, computed as the fast evaluator does.
      const result = await evaluator.run({ ...facts, ...engineParameterFacts(facts), ...dynamic });
      runs.push({ fired: prepared.rules.flatMap((rule, index) => (result.fired.has(rule.name) ? [index] : [])), traces: result.traces });
    } catch (error) {
      failure = { error, facts };
      break;
    }
  }
  // A failing fact comes first, as on the fast evaluator.
  const values = await settledFacts(pending);
  if (failure) {
    const { error, facts } = failure;
    if (!(error instanceof MistypedValueError)) throw error;
    // json-rules-engine does not say which test threw: name it as the fast evaluator does.
    const withCustom = { ...facts };
    prepared.customFacts.forEach((name, i) => setFact(withCustom, name, values[i]));
    throw findMistyped(prepared.rules, withCustom) ?? error;
  }
  const winnerRun = runs.reduce((best, run) => (run.fired.length && (!best.fired.length || run.fired[0]! < best.fired[0]!) ? run : best), runs[0]!);
  const winner = winnerRun.fired[0] ?? -1;
  const traceOf = (rule: CompiledRule): RuleTrace => {
    const conditions = winnerRun.traces.get(rule.name)!;
    return { rule: rule.name, action: rule.event.type, priority: rule.priority, result: conditions.result, conditions };
  };
  const explanation = options.explain === 'all' ? prepared.rules.map(traceOf) : winner >= 0 ? [traceOf(prepared.rules[winner]!)] : [];
  if (winner < 0) return decisionFor(prepared.defaultEvent, null, prepared.identity, explanation);
  const rule = prepared.rules[winner]!;
  return decisionFor(rule.event, rule.name, prepared.identity, explanation);
}
