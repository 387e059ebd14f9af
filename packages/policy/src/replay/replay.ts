// Running a policy over recorded turns, one line at a time, keeping only counts and capped
// samples, so a transcript of millions of lines is replayed in the memory of a few.
import { decideSync } from '../decide.js';
import { failClosed, type Decision } from '../decision.js';
import { preparedOf, type Policy } from '../policy.js';
import type { Turn } from '../turn.js';
import { emptyHistory, historyAfter, historyProblem, type RunHistory } from '../history.js';
import { readTranscriptLine, type TranscriptFormat } from './transcript.js';

/**
 * What a replay compares with and how much it lists.
 *
 * @example
 * await replayFile(policy, 'runs.jsonl', { against: oldPolicy, facts: { tier: 'silver' }, maxDifferences: 50 });
 */
export interface ReplayOptions {
  /** A second policy (usually the one in use): every turn it decides differently is listed. */
  against?: Policy;
  /** Values of custom facts the policies declare, for turns that do not carry them in `facts`. */
  facts?: Readonly<Record<string, unknown>>;
  /** How many differences to list; all are counted. 1,000 by default. */
  maxDifferences?: number;
  /** How many bad lines, and failed decisions, to list; all are counted. 100 by default. */
  maxSamples?: number;
  /** What relative paths in path conditions resolve against (see DecideOptions). */
  workingDirectory?: string;
  /** What `~` in path conditions stands for (see DecideOptions). */
  home?: string;
  /**
   * How many runs' histories are kept at once, 10,000 by default: beyond that, the run seen
   * least recently is forgotten, and a run replay no longer holds is decided without a history.
   */
  maxRuns?: number;
}

/**
 * Which policy decided: as in a Decision, plus the file it was loaded from.
 *
 * @example
 * const { name, hash } = report.policy;
 */
export interface ReplayPolicy {
  name: string;
  version?: string;
  hash: string;
  file?: string;
}

/**
 * A decision without its explanation and policy: what the host would have done.
 *
 * @example
 * const outcome: DecisionOutcome = { action: 'stop', rule: 'done', reason: 'finished', reset: [] };
 */
export type DecisionOutcome = Decision extends infer D ? (D extends Decision ? Omit<D, 'explanation' | 'policy'> : never) : never;

/**
 * Where a turn is in the transcript: its line, and its place among the turns of that line when
 * there are several.
 *
 * @example
 * const place: TurnPlace = { line: 12, item: 2 }; // the second turn of a chat result on line 12
 */
export interface TurnPlace {
  line: number;
  /** From 1; only for lines that hold several turns (a chat result). */
  item?: number;
}

/**
 * A decision that failed closed, with where its turn is.
 *
 * @example
 * for (const failed of report.decisions.failed.first) console.log(failed.line, failed.code, failed.message);
 */
export interface FailedDecision extends TurnPlace {
  code: string;
  message: string;
}

/**
 * Counts of one policy's decisions over the transcript.
 *
 * @example
 * const { actions, rules, failed } = report.decisions;
 * console.log(actions.escalate, rules['review'] ?? 0, failed.codes['MISSING_FACT'] ?? 0);
 */
export interface DecisionCounts {
  /** Decisions by action, failed ones excepted: continue + escalate + stop + failed = turns. */
  actions: { continue: number; escalate: number; stop: number };
  /** Decisions by deciding rule, `(default)` when no rule fired; failed ones excepted. */
  rules: Record<string, number>;
  /** Decisions that failed closed (a bad turn, a missing custom fact, …), by error code, with the first few. */
  failed: { count: number; codes: Record<string, number>; first: FailedDecision[] };
}

/**
 * A turn two policies decide differently.
 *
 * @example
 * for (const d of report.differences?.first ?? []) console.log(d.line, d.old.action, '→', d.new.action);
 */
export interface ReplayDifference extends TurnPlace {
  old: DecisionOutcome;
  new: DecisionOutcome;
}

/**
 * What a replay found. Plain JSON (`handrail replay --json` prints it).
 *
 * @example
 * const report = await replayFile(policy, 'runs.jsonl', { against: oldPolicy });
 * console.log(report.decisions.actions.escalate, report.differences?.count);
 */
export interface ReplayReport {
  policy: ReplayPolicy;
  against?: ReplayPolicy;
  /** Lines read, blank ones included. */
  lines: number;
  blankLines: number;
  /** Turns decided (a chat-result line holds several). */
  turns: number;
  /** Turns by the shape of the line they came from. */
  formats: Record<TranscriptFormat, number>;
  /** Valid lines that hold no turn (events other than `decision-made`, records without a turn), by `type`. */
  skipped: { count: number; types: Record<string, number> };
  /** Lines that are not JSON objects (or whose `turn` is not one), with the first few. */
  badLines: { count: number; first: Array<{ line: number; message: string }> };
  decisions: DecisionCounts;
  /** The `against` policy's decisions over the same turns. */
  againstDecisions?: DecisionCounts;
  /** Turns on which the two policies decided differently (action, rule, reason or terms). */
  differences?: { count: number; first: ReplayDifference[] };
}

/** Distinct `type`s of skipped lines kept apart; more are counted under `(other)`. */
const maxSkippedTypes = 20;

function identity(policy: Policy): ReplayPolicy {
  return { name: policy.name, ...(policy.version !== undefined ? { version: policy.version } : {}), hash: policy.hash, ...(policy.file !== undefined ? { file: policy.file } : {}) };
}

/** A record keyed by names from the data (a rule named `constructor`, a `type` of `__proto__`): no prototype. */
function tally(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

function emptyCounts(): DecisionCounts {
  return { actions: { continue: 0, escalate: 0, stop: 0 }, rules: tally(), failed: { count: 0, codes: tally(), first: [] } };
}

function increment(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

function outcome(decision: Decision): DecisionOutcome {
  const { explanation: _explanation, policy: _policy, ...rest } = decision;
  return rest as DecisionOutcome;
}

/** Whether two decisions tell the host to do the same. Failures compare by code: their messages name the policy. */
function same(a: Decision, b: Decision): boolean {
  if (a.error || b.error) return a.action === b.action && a.error?.code === b.error?.code;
  return JSON.stringify(outcome(a)) === JSON.stringify(outcome(b));
}

/**
 * The history of each run of a transcript, at most `max` runs at once (the least recently seen
 * is forgotten). Once one was forgotten, a run not held may be a forgotten one: its history is
 * unknown (`undefined`), never taken as empty.
 */
class RunHistories {
  readonly #histories = new Map<string | undefined, RunHistory>();
  #forgot = false;
  constructor(readonly max: number) {}

  /** The history before a turn of `runId`; undefined when it may have been forgotten. */
  before(runId: string | undefined): RunHistory | undefined {
    const history = this.#histories.get(runId);
    if (history !== undefined) return history;
    return this.#forgot ? undefined : emptyHistory();
  }

  /** Records `turn` as the run's latest; it carries on from the history the turn recorded, when valid. */
  after(runId: string | undefined, turn: Turn, before: RunHistory | undefined): void {
    const recorded = turn.history !== undefined && historyProblem(turn.history) === undefined ? turn.history : undefined;
    const from = recorded ?? before;
    // A run whose history is unknown stays unknown, turn after turn, unless a turn records one.
    this.#histories.delete(runId);
    if (from === undefined) return;
    this.#histories.set(runId, historyAfter(from, turn));
    if (this.#histories.size > this.max) {
      this.#histories.delete(this.#histories.keys().next().value);
      this.#forgot = true;
    }
  }
}

/**
 * A replay fed one line at a time: `line(text)` for each line of a transcript, in order, then
 * `report()`. Memory stays bounded whatever the number of lines.
 *
 * @example
 * const replay = createReplay(policy);
 * for (const text of lines) replay.line(text);
 * console.log(replay.report().decisions.actions);
 */
export function createReplay(policy: Policy, options: ReplayOptions = {}) {
  const { line, report } = replayer(policy, options);
  return { line, report };
}

/**
 * A part of a transcript replayed on its own (by a worker of `replayFile`): its lines numbered
 * from `firstLine`, the `type`s of skipped lines all kept, in the order first seen, for
 * `mergeReplayPart` to cap as one replay of the whole would.
 */
export interface ReplayPart {
  firstLine: number;
}

/** Whether a replay follows each run's history, line by line: when either policy reads history. */
export function followsRuns(policy: Policy, against: Policy | undefined): boolean {
  return preparedOf(policy).readsHistory || (against !== undefined && preparedOf(against).readsHistory);
}

/** `createReplay`, or the replay of one part of a transcript. */
export function replayer(policy: Policy, options: ReplayOptions, part?: ReplayPart) {
  const maxDifferences = options.maxDifferences ?? 1000;
  const maxSamples = options.maxSamples ?? 100;
  const decideOptions = {
    ...(options.facts ? { facts: options.facts } : {}),
    ...(options.workingDirectory !== undefined ? { workingDirectory: options.workingDirectory } : {}),
    ...(options.home !== undefined ? { home: options.home } : {}),
  };
  // Each run so far, built from its earlier turns in the transcript as the supervisor builds it:
  // one history per run id (an audit record's), lines without one forming a run of their own. A
  // turn that recorded its own history is decided on that one, and its run carries on from it.
  const maxRuns = options.maxRuns ?? 10_000;
  if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns must be a whole number of 1 or more, not ${String(maxRuns)}`);
  const runs = new RunHistories(maxRuns);
  const { against } = options;
  const report: ReplayReport = {
    policy: identity(policy),
    ...(against ? { against: identity(against) } : {}),
    lines: 0,
    blankLines: 0,
    turns: 0,
    formats: { turn: 0, message: 0, record: 0, 'chat-result': 0 },
    skipped: { count: 0, types: tally() },
    badLines: { count: 0, first: [] },
    decisions: emptyCounts(),
    ...(against ? { againstDecisions: emptyCounts(), differences: { count: 0, first: [] } } : {}),
  };

  const decideOn = (subject: Policy, turn: Turn, unknownHistory: string | undefined): Decision => {
    // A history that may be missing turns is not one: a history rule would decide on too little.
    if (unknownHistory !== undefined && turn.history === undefined && preparedOf(subject).readsHistory) return failClosed('MISSING_FACT', unknownHistory, identity(subject), true);
    try {
      return decideSync(subject, turn, decideOptions);
    } catch (error) {
      // Only a host's mistake throws (an asynchronous fact); none can come from a transcript.
      return failClosed('EVALUATION_FAILED', error instanceof Error ? error.message : String(error), identity(subject), true);
    }
  };

  const count = (counts: DecisionCounts, decision: Decision, place: TurnPlace): void => {
    if (decision.error) {
      counts.failed.count++;
      increment(counts.failed.codes, decision.error.code);
      if (counts.failed.first.length < maxSamples) counts.failed.first.push({ ...place, code: decision.error.code, message: decision.error.message });
      return;
    }
    counts.actions[decision.action]++;
    increment(counts.rules, decision.rule ?? '(default)');
  };

  // Histories are kept only for a policy that reads them: the others decide the same without.
  const readsHistory = followsRuns(policy, against);

  const turn = (recorded: Turn, place: TurnPlace, runId: string | undefined): void => {
    report.turns++;
    if (!readsHistory) {
      decided(recorded, place, undefined);
      return;
    }
    const history = runs.before(runId);
    const value = recorded.history === undefined && history !== undefined ? { ...recorded, history } : recorded;
    const unknownHistory = history === undefined ? `the history of run ${JSON.stringify(runId)} is not known: more than ${runs.max} runs were open at once, and replay cannot tell a new run from one whose earlier turns it forgot (raise --max-runs)` : undefined;
    runs.after(runId, recorded, history);
    decided(value, place, unknownHistory);
  };

  const decided = (value: Turn, place: TurnPlace, unknownHistory: string | undefined): void => {
    const decision = decideOn(policy, value, unknownHistory);
    count(report.decisions, decision, place);
    if (!against) return;
    const old = decideOn(against, value, unknownHistory);
    count(report.againstDecisions!, old, place);
    if (same(old, decision)) return;
    const differences = report.differences!;
    differences.count++;
    if (differences.first.length < maxDifferences) differences.first.push({ ...place, old: outcome(old), new: outcome(decision) });
  };

  // The skipped types of a part, in the order first seen (a record lists numeric keys first).
  const skippedOrder: string[] = [];
  const lineOffset = part ? part.firstLine - 1 : 0;
  return {
    /** The types of skipped lines, in the order first seen. */
    skippedOrder,
    /** Reads and decides one line; `text` without its line break. */
    line(text: string): void {
      const number = ++report.lines + lineOffset;
      if (number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') {
        report.blankLines++;
        return;
      }
      const read = readTranscriptLine(text);
      if (read.kind === 'bad') {
        report.badLines.count++;
        if (report.badLines.first.length < maxSamples) report.badLines.first.push({ line: number, message: read.message });
        return;
      }
      if (read.kind === 'skipped') {
        report.skipped.count++;
        const types = report.skipped.types;
        if (part) {
          if (!(read.type in types)) skippedOrder.push(read.type);
          increment(types, read.type);
          return;
        }
        const known = read.type in types || Object.keys(types).length < maxSkippedTypes;
        increment(types, known ? read.type : '(other)');
        return;
      }
      report.formats[read.format] += read.turns.length;
      if (read.turns.length === 1) turn(read.turns[0]!, { line: number }, read.runId);
      else read.turns.forEach((value, i) => turn(value, { line: number, item: i + 1 }, read.runId));
    },
    /** The report so far (a live object: take it once the lines are done). */
    report(): ReplayReport {
      return report;
    },
  };
}

/**
 * Adds the replay of a part of the transcript to the replay of the parts before it, as if one
 * replay had read their lines in order: counts add up, samples keep the first ones, skipped
 * types are capped in the order they were first seen.
 */
export function mergeReplayPart(into: ReplayReport, part: ReplayReport, skippedOrder: readonly string[], options: ReplayOptions = {}): void {
  const maxDifferences = options.maxDifferences ?? 1000;
  const maxSamples = options.maxSamples ?? 100;
  const first = <T>(list: T[], more: readonly T[], max: number) => {
    for (const item of more) if (list.length < max) list.push(item);
  };
  into.lines += part.lines;
  into.blankLines += part.blankLines;
  into.turns += part.turns;
  for (const format of Object.keys(into.formats) as TranscriptFormat[]) into.formats[format] += part.formats[format];
  into.skipped.count += part.skipped.count;
  const types = into.skipped.types;
  for (const type of skippedOrder) {
    const known = type in types || Object.keys(types).length < maxSkippedTypes;
    const key = known ? type : '(other)';
    types[key] = (types[key] ?? 0) + part.skipped.types[type]!;
  }
  into.badLines.count += part.badLines.count;
  first(into.badLines.first, part.badLines.first, maxSamples);
  const mergeCounts = (to: DecisionCounts, from: DecisionCounts) => {
    for (const action of ['continue', 'escalate', 'stop'] as const) to.actions[action] += from.actions[action];
    for (const [rule, count] of Object.entries(from.rules)) to.rules[rule] = (to.rules[rule] ?? 0) + count;
    to.failed.count += from.failed.count;
    for (const [code, count] of Object.entries(from.failed.codes)) to.failed.codes[code] = (to.failed.codes[code] ?? 0) + count;
    first(to.failed.first, from.failed.first, maxSamples);
  };
  mergeCounts(into.decisions, part.decisions);
  if (into.againstDecisions && part.againstDecisions) mergeCounts(into.againstDecisions, part.againstDecisions);
  if (into.differences && part.differences) {
    into.differences.count += part.differences.count;
    first(into.differences.first, part.differences.first, maxDifferences);
  }
}

/**
 * A replay in progress, fed one line at a time.
 *
 * @example
 * const replay: Replay = createReplay(policy);
 * replay.line('{"content":"hello"}');
 */
export type Replay = ReturnType<typeof createReplay>;

/**
 * Replays lines from any source: an array, a generator, a stream of lines.
 *
 * @example
 * const report = await replayLines(policy, ['{"content":"NEEDS_REVIEW"}', '{"content":"hello"}']);
 */
export async function replayLines(policy: Policy, lines: Iterable<string> | AsyncIterable<string>, options: ReplayOptions = {}): Promise<ReplayReport> {
  const replay = createReplay(policy, options);
  for await (const text of lines) replay.line(text);
  return replay.report();
}
