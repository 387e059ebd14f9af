// The run so far, as history rules read it: which tools earlier turns called, how often, and how
// many earlier turns reported an error. One implementation of "history from turns": the
// supervisor, `handrail replay` and `handrail test` all build it with `historyAfter`, so a
// history rule decides the same at run time, in a replay and in a test.

/**
 * What history reads of a turn: its tool calls and its error. A `Turn` is one (turn.ts validates
 * turns with this module, so it is not imported here).
 *
 * @example
 * const turn: HistoryTurn = { tool: { name: 'refund' }, error: 'timeout' };
 */
export interface HistoryTurn {
  tool?: unknown;
  toolCalls?: unknown;
  error?: unknown;
}

/** Windows (`over the last N steps`) reach at most this many earlier turns. */
export const maxHistoryWindow = 100;

/**
 * One earlier turn that called a tool or reported an error; `turn` numbers the turns of the run
 * from 1 (turns that did neither are counted but not kept).
 *
 * @example
 * const step: HistoryStep = { turn: 4, tools: ['refund'], error: false };
 */
export interface HistoryStep {
  turn: number;
  tools: string[];
  error: boolean;
}

/**
 * What the earlier turns of a run did, before the turn being decided. Plain JSON, bounded: counts
 * over the whole run, and the steps of the last `maxHistoryWindow` turns for windows.
 *
 * @example
 * let history = emptyHistory();
 * history = historyAfter(history, { role: 'assistant', tool: { name: 'read_inbox' } });
 * history.calls.read_inbox; // 1
 */
export interface RunHistory {
  /** Turns decided so far. */
  turns: number;
  /** Each tool called so far, once, in the order of its first call. */
  tools: string[];
  /** Calls so far, by tool. */
  calls: Record<string, number>;
  /** Turns so far that carried an `error`. */
  errors: number;
  /** The steps of the last `maxHistoryWindow` turns that called a tool or reported an error. */
  recent: HistoryStep[];
}

/**
 * The history of a run before its first turn.
 *
 * @example
 * await decide(policy, { content: 'hello', history: emptyHistory() });
 */
export function emptyHistory(): RunHistory {
  return { turns: 0, tools: [], calls: Object.create(null) as Record<string, number>, errors: 0, recent: [] };
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The tool names a turn calls (its `tool`, or each of its `toolCalls`), as given. */
function toolNames(turn: HistoryTurn): string[] {
  const calls = turn.toolCalls !== undefined && Array.isArray(turn.toolCalls) ? turn.toolCalls : turn.tool !== undefined ? [turn.tool] : [];
  const names: string[] = [];
  for (const call of calls) {
    // A call without a readable name still happened: it is counted under the name it gave, as text.
    const name = isObject(call) ? call.name : undefined;
    names.push(typeof name === 'string' ? name : String(name));
  }
  return names;
}

/**
 * The history after `turn` was decided: its tool calls counted whatever the decision (a refused
 * call was still attempted; see docs/policy-language.md, "History"), an `error` counted as one.
 * Does not change `history`.
 *
 * @example
 * const after = historyAfter(emptyHistory(), { tool: { name: 'refund', args: { amount: 5 } } });
 * after.calls.refund; // 1
 */
export function historyAfter(history: RunHistory, turn: HistoryTurn): RunHistory {
  const turns = history.turns + 1;
  const names = turn !== null && typeof turn === 'object' ? toolNames(turn) : [];
  const error = turn !== null && typeof turn === 'object' && typeof turn.error === 'string';
  // A history is a value: what a turn leaves unchanged is shared with the one before, so a step
  // without tool calls copies nothing.
  let { calls, tools, recent } = history;
  if (names.length) {
    calls = Object.assign(Object.create(null) as Record<string, number>, calls);
    tools = [...tools];
    for (const name of names) {
      if (!Object.hasOwn(calls, name)) tools.push(name);
      defineCount(calls, name, (Object.hasOwn(calls, name) ? calls[name]! : 0) + 1);
    }
  }
  const inWindow = (step: HistoryStep) => step.turn > turns - maxHistoryWindow;
  if (!recent.every(inWindow)) recent = recent.filter(inWindow);
  if (names.length || error) recent = [...recent, { turn: turns, tools: names, error }];
  return { turns, tools, calls, errors: history.errors + (error ? 1 : 0), recent };
}

/** Sets a count as an own property, even for a tool named `__proto__`. */
function defineCount(calls: Record<string, number>, name: string, count: number): void {
  Object.defineProperty(calls, name, { value: count, enumerable: true, writable: true, configurable: true });
}

/**
 * The history of a run after each of `turns`, in order: `historyAfter` folded over them.
 *
 * @example
 * historyOfTurns([{ tool: { name: 'read_inbox' } }, { content: 'ok' }]).tools; // ['read_inbox']
 */
export function historyOfTurns(turns: Iterable<HistoryTurn>, from: RunHistory = emptyHistory()): RunHistory {
  let history = from;
  for (const turn of turns) history = historyAfter(history, turn);
  return history;
}

const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/**
 * A history as a host (or a JSON round trip) gave it, checked; the reason when it is not one.
 * Any doubt refuses it: the decision then fails closed.
 */
export function historyProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'history must be an object (see emptyHistory and historyAfter)';
  const { turns, tools, calls, errors, recent } = value;
  if (!count(turns)) return 'history.turns must be a whole number of 0 or more';
  if (!count(errors)) return 'history.errors must be a whole number of 0 or more';
  if (!Array.isArray(tools) || !tools.every((tool) => typeof tool === 'string')) return 'history.tools must be a list of tool names';
  if (!isObject(calls) || !Object.values(calls).every(count)) return 'history.calls must hold a count for each tool';
  if (!Array.isArray(recent)) return 'history.recent must be a list';
  for (const step of recent) {
    if (!isObject(step) || !count(step.turn) || typeof step.error !== 'boolean' || !Array.isArray(step.tools) || !step.tools.every((tool) => typeof tool === 'string'))
      return 'each step of history.recent needs turn, tools and error';
  }
  return undefined;
}

/** Parameters of a condition on the `history` fact: a window, and the one tool whose calls are counted. */
export interface HistoryParams {
  window?: number;
  calls?: string;
}

/**
 * What a condition on `history` reads: with `calls`, that tool's number of calls (0 when never
 * called); else `{ tools, calls, errors, turns }` of the whole run or, with `window`, of the last
 * `window` turns only.
 *
 * @example
 * historyValue(history, { calls: 'refund', window: 10 }); // refunds among the last 10 turns
 */
export function historyValue(history: RunHistory, params: HistoryParams | undefined): unknown {
  const window = params?.window;
  const tool = params?.calls;
  if (window === undefined) {
    if (tool !== undefined) return Object.hasOwn(history.calls, tool) ? history.calls[tool] : 0;
    return { tools: history.tools, calls: history.calls, errors: history.errors, turns: history.turns };
  }
  const from = history.turns - window;
  // One tool's calls in the window, counted without building the window's view: a policy may
  // hold many such rules, each read on every decision.
  if (tool !== undefined) {
    let count = 0;
    for (const step of history.recent) if (step.turn > from) for (const name of step.tools) if (name === tool) count++;
    return count;
  }
  // No prototype, so plain assignment keeps a tool named __proto__ a count.
  const calls = Object.create(null) as Record<string, number>;
  const tools: string[] = [];
  let errors = 0;
  for (const step of history.recent) {
    if (step.turn <= from) continue;
    if (step.error) errors++;
    for (const name of step.tools) {
      const count = calls[name];
      if (count === undefined) tools.push(name);
      calls[name] = (count ?? 0) + 1;
    }
  }
  return { tools, calls, errors, turns: Math.min(window, history.turns) };
}
