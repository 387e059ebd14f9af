// A durable run (event sourcing): every step with an effect is journaled before its result is
// used; restoring the run replays the journal (recorded results are reused, nothing runs
// twice) up to where it stopped, then goes on. A question to a person is one such step: the
// run can die while it waits, and another process restores it when the answer arrives.
import { createHash, randomUUID } from 'node:crypto';
import { ConfigurationError, deadlineEnd, decide, startDeadline, type AuditEntry, type DecideOptions, type Decision, type Policy, type Turn } from '@handrail/policy';
import { answerAuditEntry, decisionAuditEntry } from '../audit/audit-entries.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ApprovalAnswer, ApprovalChannel, ApprovalRequest } from '../channels/approval.js';
import { DurableRunError } from './durable-run-error.js';
import { journalFormat, type JournalEntry, type JournalRecord, type RecordedError, type SerializedRun, type StepKind } from './journal-record.js';
import { legacyJournalReader } from './legacy-journal.js';
import type { RunJournal, RunStore, StoredAnswer } from './run-store.js';

/**
 * A step that began before a crash and never recorded how it ended.
 *
 * @example
 * const step: InterruptedStep = { runId: 'refund-1042', key: 'tool:call_1#1', kind: 'tool', startedAt: '2026-03-01T10:00:00.000Z' };
 */
export interface InterruptedStep {
  runId: string;
  key: string;
  kind: StepKind;
  /** When the step began, ISO 8601. */
  startedAt: string;
}

/**
 * What to do about an interrupted step: `retry` runs it again, `fail` stops the run with
 * `STEP_INTERRUPTED`, `{ result }` takes that result as the step's (after checking by hand
 * what happened). The choice is journaled, so it is made once.
 *
 * @example
 * const resolve = async (step: InterruptedStep): Promise<StepResolution> => ((await payments.found(step.key)) ? { result: 'charged' } : 'retry');
 */
export type StepResolution = 'retry' | 'fail' | { result: unknown };

/**
 * @example
 * const run = await DurableRun.open(store, 'refund-1042', {
 *   audit: await AuditLog.open('audit.jsonl'),
 *   onInterruptedStep: async (step) => (step.key === 'send-receipt' ? 'retry' : 'fail'),
 * });
 */
export interface DurableRunOptions {
  /** Where decisions and answers are audited (before the run goes on). */
  audit?: AuditLog;
  /**
   * Called for each interrupted step that is not idempotent; `fail` when not given. Idempotent
   * steps (model calls, decisions, steps marked `idempotent`) are run again without asking.
   */
  onInterruptedStep?: (step: InterruptedStep) => StepResolution | Promise<StepResolution>;
}

/** @example await run.step('send-receipt', send, { idempotent: true }); */
export interface StepOptions {
  kind?: StepKind;
  /** Safe to run again when a crash interrupted it (default false). */
  idempotent?: boolean;
  /**
   * What the step is given (JSON): its hash is journaled, and a replay that gives something else
   * is refused (`REPLAY_DIVERGED`) instead of returning a result recorded for other input.
   */
  input?: unknown;
}

/**
 * A question as the caller gives it: the run fills in `id` (a random UUID), `runId`,
 * `createdAt`, and `expiresAt` from `decision.timeoutMs`.
 *
 * @example
 * const input: ApprovalRequestInput = { prompt: 'Refund 250 EUR?', decision: { rule: 'large', reason: 'large payment', onNoInput: 'stop', policy } };
 */
export type ApprovalRequestInput = Omit<ApprovalRequest, 'id' | 'runId' | 'createdAt'> & Partial<Pick<ApprovalRequest, 'id' | 'createdAt'>>;

/** @example await run.awaitApproval(input, { channel: slack, key: 'approve-refund' }); */
export interface AwaitApprovalOptions {
  /** The step's key; `approval#N` by default. */
  key?: string;
  /**
   * Also asks through this channel; its answer and one given through the store (from any
   * process, with `answerApproval`) race, and the first stored wins. A restored run asks again.
   */
  channel?: ApprovalChannel;
  /** Stops waiting (the run can be restored later); the promise rejects with the reason. */
  signal?: AbortSignal;
}

/**
 * Deciding with the run: the decision is journaled and audited.
 *
 * @example
 * const decision = await run.decide(policy, turn, { agent: 'payments-bot' });
 */
export interface RunDecideOptions extends DecideOptions {
  key?: string;
  agent?: string;
  sender?: string;
}

interface Entry {
  kind: StepKind | 'approval';
  started: JournalRecord;
  outcome?: Extract<JournalRecord, { type: 'step-finished' | 'step-failed' }>;
  resolution?: Extract<JournalRecord, { type: 'step-resolved' }>;
  request?: ApprovalRequest;
  answer?: Extract<JournalRecord, { type: 'approval-answered' }>;
}

/**
 * The status of a run object: running, waiting for an answer, finished, stopped (a record could
 * not be written: every call throws that error; close the run, restore it later), or closed
 * (released without finishing).
 *
 * @example
 * if (run.status === 'waiting') console.log('waiting for a person');
 */
export type DurableRunStatus = 'running' | 'waiting' | 'finished' | 'stopped' | 'closed';

function toJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

function fingerprint(input: unknown): string | undefined {
  const text = JSON.stringify(input);
  return text === undefined ? undefined : `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function recordError(error: unknown): RecordedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

function rebuildError(recorded: RecordedError): Error {
  const error = new Error(recorded.message);
  error.name = recorded.name;
  if (recorded.code !== undefined) Object.assign(error, { code: recorded.code });
  return error;
}

/** Rejections of the losers of a race, once it is decided, are nobody's business. */
/** The instant ISO 8601 text names; text that names none is refused, never taken as "now". */
function instantOf(field: 'createdAt' | 'expiresAt', text: string): number {
  const instant = Date.parse(text);
  if (Number.isNaN(instant)) throw new ConfigurationError(`the approval's ${field} ${JSON.stringify(text)} is not a date`);
  return instant;
}

function guarded<T>(promise: Promise<T>, settled: AbortSignal): Promise<T> {
  return promise.catch((error: unknown) => (settled.aborted ? new Promise<T>(() => undefined) : Promise.reject(error)));
}

/**
 * A run whose steps are journaled in a RunStore, so that it survives the death of its process.
 *
 * @example
 * const store = new FileRunStore('.handrail/runs');
 * const run = await DurableRun.open(store, 'refund-1042', { audit: await AuditLog.open('audit.jsonl') });
 * const decision = await run.decide(policy, { content: '', role: 'assistant', toolCalls: [{ name: 'refund', args: { amount: 250 } }] });
 * if (decision.action === 'escalate') {
 *   const { rule, reason, onNoInput, policy: identity } = decision;
 *   const answer = await run.awaitApproval({ prompt: 'Refund 250 EUR?', decision: { rule, reason, onNoInput, policy: identity } });
 *   if (answer.kind === 'approve') await run.step('refund', () => payments.refund(250)); // at most once
 * }
 * await run.finish();
 */
export class DurableRun {
  readonly runId: string;
  readonly store: RunStore;
  readonly #journal: RunJournal;
  readonly #audit: AuditLog | undefined;
  readonly #onInterrupted: DurableRunOptions['onInterruptedStep'];
  readonly #records: JournalRecord[] = [];
  readonly #entries = new Map<string, Entry>();
  readonly #order: string[] = [];
  readonly #used = new Set<string>();
  readonly #counters = new Map<string, number>();
  #cursor = 0;
  #nextSeq: number;
  #finished = false;
  #closed = false;
  #waiting = 0;
  /** Why the run stopped: a journal or audit record that could not be written. */
  #stopped: unknown;
  #hasStopped = false;

  private constructor(store: RunStore, journal: RunJournal, options: DurableRunOptions) {
    this.store = store;
    this.runId = journal.runId;
    this.#journal = journal;
    this.#audit = options.audit;
    this.#onInterrupted = options.onInterruptedStep;
    const read = legacyJournalReader(journal.records);
    for (const record of journal.records) this.#absorb(record, read(record));
    this.#nextSeq = this.#records.length + 1;
  }

  /**
   * Opens a run: a new one when the store has none by this id, else the stored one, to be
   * replayed. The run is held by this process until `finish` or `close`.
   */
  static async open(store: RunStore, runId: string, options: DurableRunOptions = {}): Promise<DurableRun> {
    const journal = await store.openJournal(runId);
    try {
      DurableRun.#check(runId, journal.records);
      const run = new DurableRun(store, journal, options);
      if (journal.records.length === 0) await run.#append({ type: 'run-started', runId, format: journalFormat });
      return run;
    } catch (error) {
      await journal.close();
      throw error;
    }
  }

  /**
   * Restores a run that exists: by id from the store, or from a serialized run (written into
   * the store first when the store does not have it). Throws `RUN_NOT_FOUND` when there is none.
   */
  static async restore(store: RunStore, source: string | SerializedRun, options: DurableRunOptions = {}): Promise<DurableRun> {
    const runId = typeof source === 'string' ? source : source.runId;
    // Checked before opening, which would create an empty journal.
    if (typeof source === 'string' && !(await store.readJournal(runId))?.length) throw new DurableRunError('RUN_NOT_FOUND', `the store has no run ${runId}`);
    if (typeof source !== 'string') {
      if (source.format !== journalFormat) throw new DurableRunError('JOURNAL_INVALID', `a serialized run must have format ${journalFormat}, not ${JSON.stringify(source.format)}`);
      DurableRun.#check(runId, source.records);
    }
    const journal = await store.openJournal(runId);
    try {
      if (typeof source !== 'string') {
        const stored = journal.records;
        const common = Math.min(stored.length, source.records.length);
        for (let i = 0; i < common; i++)
          if (JSON.stringify(stored[i]) !== JSON.stringify(source.records[i]))
            throw new DurableRunError('JOURNAL_INVALID', `the store holds a different run ${runId}: its journal differs from the serialized one at record ${i + 1}`);
        if (stored.length < source.records.length) {
          // The store is behind: it takes the serialized records it lacks, then the run replays them all.
          for (const record of source.records.slice(stored.length)) await journal.append(record);
          const records = source.records;
          return new DurableRun(store, { runId, records, append: (record) => journal.append(record), close: () => journal.close() }, options);
        }
      }
      if (journal.records.length === 0) throw new DurableRunError('RUN_NOT_FOUND', `the store has no run ${runId}`);
      DurableRun.#check(runId, journal.records);
      return new DurableRun(store, journal, options);
    } catch (error) {
      await journal.close();
      throw error;
    }
  }

  static #check(runId: string, records: readonly JournalRecord[]): void {
    const first = records[0];
    if (first && (first.type !== 'run-started' || first.format !== journalFormat || first.runId !== runId))
      throw new DurableRunError('JOURNAL_INVALID', `the journal of run ${runId} does not begin with run-started in format ${journalFormat}`);
    records.forEach((record, i) => {
      if (record.seq !== i + 1) throw new DurableRunError('JOURNAL_INVALID', `the journal of run ${runId} has record ${record.seq} where record ${i + 1} should be`);
    });
  }

  // ── what a host reads ─────────────────────────────────────────────────────────────────────

  /** Whether recorded steps remain to be replayed: while true, steps return recorded results. */
  get replaying(): boolean {
    return this.#cursor < this.#order.length;
  }

  get status(): DurableRunStatus {
    if (this.#finished) return 'finished';
    if (this.#closed) return 'closed';
    if (this.#hasStopped) return 'stopped';
    return this.#waiting > 0 ? 'waiting' : 'running';
  }

  /** The audit log this run writes to, if any. */
  get audit(): AuditLog | undefined {
    return this.#audit;
  }

  /** The run as plain JSON: its journal so far. */
  serialize(): SerializedRun {
    return { format: journalFormat, runId: this.runId, records: structuredClone(this.#records) };
  }

  /** The question recorded under `key`, if the journal holds one (a replay will ask it again). */
  recordedRequest(key: string): ApprovalRequest | undefined {
    const request = this.#entries.get(key)?.request;
    return request && structuredClone(request);
  }

  /**
   * The next key with this prefix (`prefix#1`, `prefix#2`, …): keys for steps that happen in a
   * loop, the same on every replay as long as the code asks in the same order.
   */
  nextKey(prefix: string): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    return `${prefix}#${n}`;
  }

  // ── steps ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Runs `fn` at most once in the life of the run: its result (JSON) is journaled before it is
   * returned; on replay the recorded result is returned and `fn` is not called. A step that
   * threw throws again on replay (an Error with the same name, message and code). Keys are
   * unique within a run, and a replay must ask for them in the order they were recorded.
   *
   * @example
   * const receipt = await run.step('charge-card', () => charge(card, 250));
   */
  async step<T>(key: string, fn: () => T | Promise<T>, options: StepOptions = {}): Promise<T> {
    const { value } = await this.#step(key, options.kind ?? 'step', options.idempotent ?? false, fn, fingerprint(options.input));
    return value as T;
  }

  /**
   * Decides a turn with `policy`, as a journaled step (deciding again after a crash is safe),
   * and audits the decision before returning it.
   *
   * @example
   * const decision = await run.decide(policy, { content: reply.content, role: 'assistant' });
   */
  async decide(policy: Policy, turn: Turn, options: RunDecideOptions = {}): Promise<Decision> {
    const { key: given, agent, sender, ...decideOptions } = options;
    const key = given ?? this.nextKey(`decision:${agent ?? policy.name}`);
    const { value, at } = await this.#step(key, 'decision', true, () => decide(policy, turn, decideOptions));
    const decision = value as Decision;
    await this.#audited(
      decisionAuditEntry(decision, { runId: this.runId, id: `${this.runId}/${key}`, time: at, turn, ...(agent !== undefined ? { agent } : {}), ...(sender !== undefined ? { sender } : {}) }),
    );
    return decision;
  }

  /**
   * Asks a person and waits for the answer, durably: the question is journaled and put in the
   * store, where any process can answer it (`answerApproval`); the answer is journaled and
   * audited before it is returned. On replay an answered question returns its answer at once;
   * an unanswered one is waited for again. After `expiresAt` the answer is `timeout`.
   *
   * @example
   * const answer = await run.awaitApproval({ prompt: 'Refund 250 EUR?', decision: { rule: 'large', reason: 'large payment', onNoInput: 'stop', policy } });
   */
  async awaitApproval(input: ApprovalRequestInput, options: AwaitApprovalOptions = {}): Promise<ApprovalAnswer> {
    const key = options.key ?? this.nextKey('approval');
    const { request, answered } = await this.#question(key, input);
    if (answered) return answered;
    this.#waiting++;
    let stored: StoredAnswer;
    try {
      // Again on replay: a crash may have come between the journal and the store.
      await this.store.putApproval(request);
      stored = await this.#waitForAnswer(request, options);
    } finally {
      this.#waiting--;
    }
    return this.#recordAnswer(key, request, stored);
  }

  /**
   * Puts a question without waiting for it: the question is journaled and put in the store, and
   * its answer returned when one is there already (given through the store from any process, or
   * `timeout` once `expiresAt` has passed); else only the request, and the run should be closed
   * and restored later. Asking again under the same key on a restored run takes the answer that
   * has arrived since, exactly once: it is journaled and audited the first time.
   *
   * @example
   * const { request, answer } = await run.requestApproval(input, { key: 'approve-refund' });
   * if (!answer) { await run.close(); return { waitingOn: request.id }; }
   */
  async requestApproval(input: ApprovalRequestInput, options: { key?: string } = {}): Promise<{ request: ApprovalRequest; answer?: ApprovalAnswer }> {
    const key = options.key ?? this.nextKey('approval');
    const { request, answered } = await this.#question(key, input);
    if (answered) return { request: structuredClone(request), answer: answered };
    // Again on replay: a crash may have come between the journal and the store.
    await this.store.putApproval(request);
    let stored = (await this.store.getApproval(request.id))?.answer;
    if (!stored && request.expiresAt !== undefined && instantOf('expiresAt', request.expiresAt) <= Date.now())
      stored = await this.#submit(request, { kind: 'timeout', at: new Date().toISOString() }, 'timeout');
    if (!stored) return { request: structuredClone(request) };
    this.#checkOpen();
    return { request: structuredClone(request), answer: await this.#recordAnswer(key, request, stored) };
  }

  /** The question under `key`: journaled before (with its answer, if it has one, audited again) or journaled now. */
  async #question(key: string, input: ApprovalRequestInput): Promise<{ request: ApprovalRequest; answered?: ApprovalAnswer }> {
    if (this.#claim(key, 'approval')) {
      const entry = this.#entries.get(key)!;
      const request = entry.request!;
      if (!entry.answer) return { request };
      // Audited under the key it was journaled with, so that a journal read anew (legacy-journal.ts) audits nothing twice.
      await this.#auditAnswer(entry.started.type === 'approval-requested' ? entry.started.key : key, request, entry.answer);
      return { request, answered: structuredClone(entry.answer.answer) };
    }
    this.#checkOpen();
    const request = this.#newRequest(input);
    await this.#append({ type: 'approval-requested', key, request });
    return { request };
  }

  /** Journals and audits the answer a question got, once. */
  async #recordAnswer(key: string, request: ApprovalRequest, stored: StoredAnswer): Promise<ApprovalAnswer> {
    const record = await this.#append({ type: 'approval-answered', key, approvalId: request.id, answer: stored.answer, channel: stored.channel });
    await this.#auditAnswer(key, request, record as Extract<JournalRecord, { type: 'approval-answered' }>);
    return structuredClone(stored.answer);
  }

  /**
   * Marks the run finished (with an optional JSON result) and releases it. A finished run can
   * still be restored and replayed; nothing new can happen in it.
   */
  async finish(result?: unknown): Promise<void> {
    this.#checkRunning();
    if (!this.#finished) {
      this.#checkOpen();
      if (this.replaying)
        throw new DurableRunError('REPLAY_DIVERGED', `run ${this.runId} finished before replaying its whole journal (next recorded step: "${this.#order[this.#cursor]}"): the code changed since the run was recorded`);
      const stored = toJson(result);
      await this.#append({ type: 'run-finished', ...(stored !== undefined ? { result: stored } : {}) });
    }
    await this.close();
  }

  /** Releases the run without finishing it, so that another process can restore it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#journal.close();
  }

  // ── inside ────────────────────────────────────────────────────────────────────────────────

  /** Takes in a record as written (`record`, what `serialize` gives) and as read now (`read`: see legacy-journal.ts). */
  #absorb(record: JournalRecord, read: JournalRecord = record): void {
    this.#records.push(record);
    switch (read.type) {
      case 'step-started':
        this.#entries.set(read.key, { kind: read.kind, started: record });
        this.#order.push(read.key);
        break;
      case 'approval-requested':
        this.#entries.set(read.key, { kind: 'approval', started: record, request: read.request });
        this.#order.push(read.key);
        break;
      case 'step-finished':
      case 'step-failed':
        this.#entry(read.key).outcome = read;
        break;
      case 'step-resolved':
        this.#entry(read.key).resolution = read;
        break;
      case 'approval-answered':
        this.#entry(read.key).answer = read;
        break;
      case 'run-finished':
        this.#finished = true;
        break;
      case 'run-started':
        break;
    }
  }

  #entry(key: string): Entry {
    const entry = this.#entries.get(key);
    if (!entry) throw new DurableRunError('JOURNAL_INVALID', `the journal of run ${this.runId} ends step "${key}", which it never began`, { step: key });
    return entry;
  }

  async #append(entry: JournalEntry): Promise<JournalRecord> {
    // Numbered now: steps running side by side append in call order, which is the file's order.
    const record = { seq: this.#nextSeq++, at: new Date().toISOString(), ...entry } as JournalRecord;
    try {
      await this.#journal.append(record);
    } catch (error) {
      throw this.#stop(error);
    }
    this.#absorb(record);
    // A step begun now is not one to replay.
    if (record.type === 'step-started' || record.type === 'approval-requested') this.#cursor = this.#order.length;
    return record;
  }

  /**
   * A record that could not be written stops the run: nothing may act on a step or a decision
   * that is not on record, so every later call throws the same error.
   */
  #stop(error: unknown): unknown {
    if (!this.#hasStopped) {
      this.#hasStopped = true;
      this.#stopped = error;
    }
    return error;
  }

  #checkRunning(): void {
    if (this.#hasStopped) throw this.#stopped;
  }

  async #audited(entry: AuditEntry): Promise<void> {
    try {
      await this.#audit?.append(entry);
    } catch (error) {
      throw this.#stop(error);
    }
  }

  #checkOpen(): void {
    this.#checkRunning();
    if (this.#finished) throw new DurableRunError('RUN_FINISHED', `run ${this.runId} has finished: it replays, but nothing new can happen in it`);
    if (this.#closed) throw new DurableRunError('LOCKED', `run ${this.runId} was closed; restore it to go on`);
  }

  /** Takes the next key; true when the journal holds it (replay), false when it is new. */
  #claim(key: string, kind: StepKind | 'approval'): boolean {
    this.#checkRunning();
    if (this.#used.has(key)) throw new DurableRunError('DUPLICATE_STEP', `run ${this.runId} already has a step "${key}": keys are unique within a run`, { step: key });
    if (this.#cursor < this.#order.length) {
      const expected = this.#order[this.#cursor]!;
      const entry = this.#entries.get(expected)!;
      if (expected !== key || entry.kind !== kind)
        throw new DurableRunError(
          'REPLAY_DIVERGED',
          `run ${this.runId} recorded ${entry.kind} "${expected}" at this point, but now asks for ${kind} "${key}": the code changed since the run was recorded, or is not deterministic`,
          { step: key },
        );
      this.#used.add(key);
      this.#cursor++;
      return true;
    }
    this.#used.add(key);
    return false;
  }

  async #step(key: string, kind: StepKind, idempotent: boolean, fn: () => unknown, input?: string): Promise<{ value: unknown; at: string }> {
    if (this.#claim(key, kind)) {
      const entry = this.#entries.get(key)!;
      const recorded = (entry.started as Extract<JournalRecord, { type: 'step-started' }>).input;
      if (recorded !== undefined && recorded !== input)
        throw new DurableRunError('REPLAY_DIVERGED', `step "${key}" of run ${this.runId} is given other input than when it was recorded: the run took another path`, { step: key });
      const outcome = entry.outcome;
      if (outcome?.type === 'step-finished') return { value: structuredClone(outcome.result), at: outcome.at };
      if (outcome?.type === 'step-failed') throw rebuildError(outcome.error);
      let resolution = entry.resolution?.resolution;
      if (resolution === undefined) {
        const step: InterruptedStep = { runId: this.runId, key, kind, startedAt: entry.started.at };
        const chosen = idempotent ? 'retry' : ((await this.#onInterrupted?.(step)) ?? 'fail');
        if (chosen === 'fail')
          throw new DurableRunError(
            'STEP_INTERRUPTED',
            `step "${key}" of run ${this.runId} began at ${step.startedAt} and never recorded an outcome (the process died): it may or may not have taken effect. Check, then restore the run with onInterruptedStep returning 'retry' or { result }`,
            { step: key },
          );
        resolution = chosen === 'retry' ? 'retry' : { result: toJson(chosen.result) };
        this.#checkOpen();
        await this.#append({ type: 'step-resolved', key, resolution });
      }
      if (resolution !== 'retry') {
        const resolved = entry.resolution!;
        return { value: structuredClone(resolution.result), at: resolved.at };
      }
      return this.#execute(key, fn);
    }
    this.#checkOpen();
    await this.#append({ type: 'step-started', key, kind, ...(input !== undefined ? { input } : {}) });
    return this.#execute(key, fn);
  }

  async #execute(key: string, fn: () => unknown): Promise<{ value: unknown; at: string }> {
    let result: unknown;
    try {
      result = await fn();
    } catch (error) {
      await this.#append({ type: 'step-failed', key, error: recordError(error) });
      throw error;
    }
    const value = toJson(result);
    const record = await this.#append({ type: 'step-finished', key, ...(value !== undefined ? { result: value } : {}) });
    return { value: structuredClone(value), at: record.at };
  }

  #newRequest(input: ApprovalRequestInput): ApprovalRequest {
    const createdAt = input.createdAt ?? new Date().toISOString();
    const timeoutMs = input.decision.timeoutMs;
    // Refused before anything is journaled: a time limit nobody can state, or an end that is no date.
    const expiresAt = input.expiresAt ?? (timeoutMs !== undefined ? deadlineEnd(timeoutMs, instantOf('createdAt', createdAt)) : undefined);
    if (expiresAt !== undefined) instantOf('expiresAt', expiresAt);
    return toJson({ ...input, id: input.id ?? randomUUID(), runId: this.runId, createdAt, ...(expiresAt !== undefined ? { expiresAt } : {}) }) as ApprovalRequest;
  }

  /** The first of: an answer in the store, the channel's answer, the time running out. */
  async #waitForAnswer(request: ApprovalRequest, options: AwaitApprovalOptions): Promise<StoredAnswer> {
    const settled = new AbortController();
    const sources: Promise<StoredAnswer>[] = [guarded(this.store.waitForAnswer(request.id, settled.signal), settled.signal)];
    const { channel, signal } = options;
    if (channel) {
      // An answer the channel gives after the race is decided (its ask saw the abort) is not stored.
      const asked = channel.ask(request, { signal: settled.signal }).then((answer) => (settled.signal.aborted ? new Promise<StoredAnswer>(() => undefined) : this.#submit(request, answer, channel.name)));
      sources.push(guarded(asked, settled.signal));
    }
    if (request.expiresAt !== undefined) {
      const delay = Math.max(0, instantOf('expiresAt', request.expiresAt) - Date.now());
      const timedOut = new Promise<void>((resolve) => startDeadline(delay, resolve, { signal: settled.signal }));
      sources.push(guarded(timedOut.then(() => this.#submit(request, { kind: 'timeout', at: new Date().toISOString() }, 'timeout')), settled.signal));
    }
    if (signal)
      sources.push(
        new Promise<StoredAnswer>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      );
    try {
      return await Promise.race(sources);
    } finally {
      settled.abort();
    }
  }

  /** Stores an answer; when another came first, that one is the answer. */
  async #submit(request: ApprovalRequest, answer: ApprovalAnswer, channel: string): Promise<StoredAnswer> {
    const outcome = await this.store.submitAnswer(request.id, answer, channel);
    if (outcome.status === 'answered') return { approvalId: request.id, answer, channel };
    const first = (await this.store.getApproval(request.id))?.answer;
    if (!first) throw new DurableRunError('JOURNAL_INVALID', `the store lost approval ${request.id} of run ${this.runId}`);
    return first;
  }

  async #auditAnswer(key: string, request: ApprovalRequest, record: Extract<JournalRecord, { type: 'approval-answered' }>): Promise<void> {
    await this.#audited(answerAuditEntry(request, record.answer, { runId: this.runId, id: `${this.runId}/${key}`, time: record.at, channel: record.channel }));
  }
}
