// The audit log's records: one JSON object a line, each chained to the one before by hashes.
// A plain data format, so that anything (the core runtime, another language, a script) can
// write it and `handrail audit verify` can check it.
import type { ActionType } from '../document.js';

/**
 * The policy that decided: its name, version and content hash.
 *
 * @example
 * const who: AuditPolicy = { name: policy.name, hash: policy.hash };
 */
export interface AuditPolicy {
  name: string;
  version?: string;
  hash: string;
}

/**
 * What a person answered, as recorded: the kind and the answer's own words or arguments.
 *
 * @example
 * const answer: AuditAnswer = { kind: 'reject', message: 'not this week' };
 */
export interface AuditAnswer {
  kind: 'approve' | 'reject' | 'reply' | 'edit' | 'timeout';
  text?: string;
  message?: string;
  args?: unknown;
  /** The tool call an edit changes. */
  callId?: string;
}

interface AuditRecordBase {
  /** The record's position in the log, from 1. */
  seq: number;
  /** When it happened, ISO 8601. */
  time: string;
  /**
   * Names the event within its run (e.g. `run-42/decision:user#3`); a writer asked twice to
   * record the same event writes it once.
   */
  id?: string;
  /** The run the event belongs to, or null outside a run. */
  runId: string | null;
  policy: AuditPolicy;
  /** The deciding rule; null when the policy's default applied or deciding failed. */
  rule: string | null;
  reason: string;
  /** The agent that decided or asked, and the sender whose message it judged. */
  agent?: string;
  sender?: string;
  /** The hash of the record before (`auditGenesisHash` for the first). */
  prev: string;
  /** sha256 of this record's canonical JSON without `hash` and `mac`; see `auditRecordHash`. */
  hash: string;
  /** HMAC-SHA256 of `hash` with the log's key (see `auditRecordMac`); absent in logs written without a key. */
  mac?: string;
}

/**
 * A decision of a policy.
 *
 * @example
 * if (record.type === 'decision' && record.action === 'stop') console.log(record.rule, record.reason);
 */
export interface AuditDecisionRecord extends AuditRecordBase {
  type: 'decision';
  action: ActionType;
  /** The channel an escalation names. */
  channel?: string;
  /** Present when deciding failed (the decision then failed closed). */
  error?: { code: string; message: string };
  /** The turn decided on, as JSON (custom facts given as functions left out): `handrail replay` reads it. */
  turn?: Record<string, unknown>;
}

/**
 * A person's answer to an escalation (or that nobody answered in time).
 *
 * @example
 * if (record.type === 'answer') console.log(`${record.by ?? 'someone'} answered ${record.answer.kind} via ${record.channel}`);
 */
export interface AuditAnswerRecord extends AuditRecordBase {
  type: 'answer';
  /** The approval request answered. */
  approvalId: string;
  /** The channel the answer came through. */
  channel: string;
  /** Who answered, as the channel identified them; null when it could not tell. */
  by: string | null;
  answer: AuditAnswer;
}

/**
 * One line of an audit log.
 *
 * @example
 * const record: AuditRecord = {
 *   seq: 1, time: '2025-01-01T10:00:00.000Z', type: 'decision', runId: 'run-42',
 *   policy: { name: 'payments', hash: 'sha256:…' }, rule: 'large', reason: 'large payment', action: 'escalate',
 *   prev: auditGenesisHash, hash: 'sha256:…',
 * };
 */
export type AuditRecord = AuditDecisionRecord | AuditAnswerRecord;

type Chained = 'seq' | 'prev' | 'hash' | 'mac';

/**
 * A record before it is chained: what a writer supplies; `chainAuditRecord` adds `seq`, `prev`,
 * `hash` and (with a key) `mac`.
 *
 * @example
 * const entry: AuditEntry = { type: 'answer', time: new Date().toISOString(), runId: 'run-42', policy, rule: 'large',
 *   reason: 'large payment', approvalId: 'a1b2…', channel: 'web', by: 'ana', answer: { kind: 'approve' } };
 */
export type AuditEntry = Omit<AuditDecisionRecord, Chained> | Omit<AuditAnswerRecord, Chained>;
