// Verifying an audit log: every line a well-formed record, numbered in order, linked to the one
// before, hashing to what it claims and, in a keyed log, signed with the key; and the log's end
// where its anchor says. Pure: text in, a verdict out.
import { readAuditAnchor, auditRecordMac, type AuditAnchor } from './anchor.js';
import { auditGenesisHash, auditRecordHash } from './chain.js';
import type { AuditRecord } from './record.js';

/**
 * Every problem `verifyAuditLog` can report, in the order of its checks:
 *
 * - `INVALID_JSON`: the line is not JSON (edited by hand, or cut in the middle);
 * - `INVALID_RECORD`: JSON but not an audit record (a member missing or of the wrong type);
 * - `HASH_MISMATCH`: the record's content does not hash to its `hash`: it was edited;
 * - `OUT_OF_SEQUENCE`: its `seq` is not its position: records were deleted, inserted or reordered;
 * - `CHAIN_BROKEN`: its `prev` is not the hash of the record before it;
 * - `KEY_MISSING`: the log is keyed (records carry a `mac`, or it has an anchor) but no key was given;
 * - `MAC_MISMATCH`: a record's `mac` is not the key's, or it has none after records that do: it was written without the key;
 * - `INCOMPLETE_LINE`: the last line has no newline: the file was cut short (a torn write, or truncation);
 * - `EMPTY_LINE`: an empty line between records;
 * - `ANCHOR_MISSING`: a keyed log (or one verified with a key) without its anchor;
 * - `ANCHOR_INVALID`: the anchor is damaged, or was not written with the key (forged);
 * - `ANCHOR_MISMATCH`: the log does not end where its anchor says: it was rewritten, or records were added after the anchor without the writer;
 * - `MISSING_RECORDS`: the log holds fewer records than its anchor vouches for, or no record with the expected hash: records were cut off at the end.
 *
 * @example
 * for (const code of auditProblemCodes) console.log(code);
 */
export const auditProblemCodes = [
  'INVALID_JSON',
  'INVALID_RECORD',
  'HASH_MISMATCH',
  'OUT_OF_SEQUENCE',
  'CHAIN_BROKEN',
  'KEY_MISSING',
  'MAC_MISMATCH',
  'INCOMPLETE_LINE',
  'EMPTY_LINE',
  'ANCHOR_MISSING',
  'ANCHOR_INVALID',
  'ANCHOR_MISMATCH',
  'MISSING_RECORDS',
] as const;

/**
 * What can be wrong with a line, from the first check that fails (see `auditProblemCodes`).
 *
 * @example
 * if (!verdict.ok && verdict.problem.code === 'HASH_MISMATCH') alert(`record on line ${verdict.problem.line} was edited`);
 */
export type AuditProblemCode = (typeof auditProblemCodes)[number];

/**
 * The first bad line of a log. Problems found at the log's end (`MISSING_RECORDS`, and the
 * anchor's problems) name the line the anchor points at, or the line after the last record.
 *
 * @example
 * const { line, code, message } = problem; // 57, 'HASH_MISMATCH', 'record 57 was changed: …'
 */
export interface AuditProblem {
  /** The line, from 1. */
  line: number;
  code: AuditProblemCode;
  message: string;
}

/**
 * The verdict on a log: the number of records and the hash of the last (the genesis hash for an
 * empty log); when it verifies, the last record its anchor vouches for (`anchored`: the number of
 * records, or one less when the writer stopped between appending a record and anchoring it;
 * null for a log without an anchor, checked by its chain alone); on failure, the records before
 * the first bad line and the problem.
 *
 * @example
 * const verdict = verifyAuditLog(text, { key, anchor });
 * if (!verdict.ok) console.error(`line ${verdict.problem.line}: ${verdict.problem.message}`);
 * else if (verdict.anchored === null) console.warn('an old log: its end is not protected');
 */
export type AuditVerification =
  | { ok: true; records: number; lastHash: string; anchored: number | null }
  | { ok: false; records: number; lastHash: string; problem: AuditProblem };

/** @example verifyAuditLog(text, { key, anchor: anchorText, expectHash: 'sha256:c3a8…' }); */
export interface VerifyAuditOptions {
  /**
   * A hash the log must hold, kept somewhere else: the last hash an earlier verification printed,
   * or one sent to another system. Records written since are fine.
   */
  expectHash?: string;
  /** The log's key (see `parseAuditKey`): needed for a keyed log; with it, the log must have an anchor. */
  key?: Uint8Array;
  /** The text of the log's anchor file; undefined or null when there is none. */
  anchor?: string | null;
  /**
   * The text continues a log whose record number `seq` has hash `hash` (checked before, or
   * trusted): its first line is record `seq + 1`, and lines are numbered as in the whole log.
   */
  after?: { seq: number; hash: string };
}

const hashPattern = /^sha256:[0-9a-f]{64}$/;
const macPattern = /^hmac-sha256:[0-9a-f]{64}$/;
const actions = new Set(['continue', 'escalate', 'stop']);
const answerKinds = new Set(['approve', 'reject', 'reply', 'edit', 'timeout']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The first member that makes `value` not an audit record, or undefined when it is one. */
function shapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  const r = value;
  if (!Number.isInteger(r.seq) || (r.seq as number) < 1) return '"seq" must be a whole number from 1';
  if (!isString(r.time) || Number.isNaN(Date.parse(r.time))) return '"time" must be an ISO 8601 date';
  if (r.id !== undefined && !isString(r.id)) return '"id" must be a string';
  if (r.runId !== null && !isString(r.runId)) return '"runId" must be a string or null';
  if (!isObject(r.policy) || !isString(r.policy.name) || !isString(r.policy.hash) || (r.policy.version !== undefined && !isString(r.policy.version)))
    return '"policy" must be { name, hash, version? } with string values';
  if (r.rule !== null && !isString(r.rule)) return '"rule" must be a string or null';
  if (!isString(r.reason)) return '"reason" must be a string';
  if (r.agent !== undefined && !isString(r.agent)) return '"agent" must be a string';
  if (r.sender !== undefined && !isString(r.sender)) return '"sender" must be a string';
  if (!isString(r.prev) || !hashPattern.test(r.prev)) return '"prev" must be a hash "sha256:<64 hex digits>"';
  if (!isString(r.hash) || !hashPattern.test(r.hash)) return '"hash" must be a hash "sha256:<64 hex digits>"';
  if (r.mac !== undefined && (!isString(r.mac) || !macPattern.test(r.mac))) return '"mac" must be "hmac-sha256:<64 hex digits>"';
  if (r.type === 'decision') {
    if (!isString(r.action) || !actions.has(r.action)) return '"action" must be continue, escalate or stop';
    if (r.channel !== undefined && !isString(r.channel)) return '"channel" must be a string';
    if (r.error !== undefined && (!isObject(r.error) || !isString(r.error.code) || !isString(r.error.message))) return '"error" must be { code, message }';
    if (r.turn !== undefined && !isObject(r.turn)) return '"turn" must be an object';
    return undefined;
  }
  if (r.type === 'answer') {
    if (!isString(r.approvalId)) return '"approvalId" must be a string';
    if (!isString(r.channel)) return '"channel" must be a string';
    if (r.by !== null && !isString(r.by)) return '"by" must be a string or null';
    if (!isObject(r.answer) || !isString(r.answer.kind) || !answerKinds.has(r.answer.kind)) return '"answer" must be { kind: approve | reject | reply | edit | timeout, … }';
    return undefined;
  }
  return '"type" must be "decision" or "answer"';
}

/**
 * Verifies an audit log (the text of a JSON-lines file) and names the first bad line. A log that
 * verifies with its key and anchor was not edited, and no record was deleted, inserted,
 * reordered or cut off, nor the whole log rewritten, by anyone without the key. Without an
 * anchor (a log written before anchors, with no key) only the chain is checked: records cut off
 * at the end and a rewrite of the whole log do not show, and `anchored` is null; pass
 * `expectHash` to check the end.
 *
 * @example
 * const verdict = verifyAuditLog(readFileSync('audit.jsonl', 'utf8'), {
 *   key: parseAuditKey(readFileSync('audit.jsonl.key', 'utf8')),
 *   anchor: readFileSync('audit.jsonl.anchor', 'utf8'),
 * });
 * if (verdict.ok) console.log(`${verdict.records} records, last hash ${verdict.lastHash}`);
 */
export function verifyAuditLog(text: string, options: VerifyAuditOptions = {}): AuditVerification {
  const { key } = options;
  const lines = text.split('\n');
  // A complete file ends with a newline, leaving one empty piece after the last line.
  const complete = lines.at(-1) === '';
  if (complete) lines.pop();
  const skipped = options.after?.seq ?? 0;
  let records = skipped;
  let lastHash = options.after?.hash ?? auditGenesisHash;
  let expectedSeen = options.expectHash === undefined || options.expectHash === auditGenesisHash;
  // The first record with a mac: every record after it must have one too.
  let keyedFrom: number | undefined;
  // A writer stopped between appending a record and anchoring it leaves one signed record after the anchor.
  let firstUnanchoredSigned = false;
  const fail = (line: number, code: AuditProblemCode, message: string): AuditVerification => ({ ok: false, records, lastHash, problem: { line, code, message } });

  // Read first, checked after the records: a record's own problem is named before the log's end.
  const hasAnchor = options.anchor !== undefined && options.anchor !== null;
  const anchorRead = hasAnchor && key ? readAuditAnchor(options.anchor!, key) : undefined;
  const anchor: AuditAnchor | undefined = anchorRead && 'anchor' in anchorRead ? anchorRead.anchor : undefined;
  let anchoredHash = anchor?.seq === skipped ? lastHash : undefined;

  for (const [index, source] of lines.entries()) {
    const line = skipped + index + 1;
    const last = index === lines.length - 1;
    if (source.trim() === '') {
      if (last && !complete) return fail(line, 'INCOMPLETE_LINE', 'the file ends in the middle of a line (a torn write, or truncation)');
      return fail(line, 'EMPTY_LINE', 'empty line between records');
    }
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      if (last && !complete) return fail(line, 'INCOMPLETE_LINE', `the file ends in the middle of a record (a torn write, or truncation): ${(error as Error).message}`);
      return fail(line, 'INVALID_JSON', `not valid JSON: ${(error as Error).message}`);
    }
    const shape = shapeProblem(value);
    if (shape) return fail(line, 'INVALID_RECORD', `not an audit record: ${shape}`);
    const record = value as AuditRecord;
    const actual = auditRecordHash(record);
    if (actual !== record.hash) return fail(line, 'HASH_MISMATCH', `record ${record.seq} was changed: its content hashes to ${actual}, not to its hash ${record.hash}`);
    if (record.seq !== records + 1)
      return fail(line, 'OUT_OF_SEQUENCE', `expected record ${records + 1} but found record ${record.seq}: records were deleted, inserted or reordered`);
    if (record.prev !== lastHash)
      return fail(line, 'CHAIN_BROKEN', `record ${record.seq} does not follow the record before it: its prev is ${record.prev}, but the hash before it is ${lastHash}`);
    if (record.mac !== undefined) {
      if (!key) return fail(line, 'KEY_MISSING', `record ${record.seq} is signed with the log's key, and no key was given: a keyed log cannot be verified without its key`);
      if (auditRecordMac(key, record.hash) !== record.mac)
        return fail(line, 'MAC_MISMATCH', `record ${record.seq} was not signed with the log's key: it was forged or rehashed without the key (or the key is not this log's)`);
      keyedFrom ??= record.seq;
    } else if (keyedFrom !== undefined)
      return fail(line, 'MAC_MISMATCH', `record ${record.seq} has no mac, but the records from ${keyedFrom} on do: it was written without the key`);
    if (last && !complete) return fail(line, 'INCOMPLETE_LINE', 'the last record has no newline after it: the file was cut short or edited');
    records++;
    lastHash = record.hash;
    if (record.seq === anchor?.seq) anchoredHash = record.hash;
    if (anchor && record.seq === anchor.seq + 1) firstUnanchoredSigned = record.mac !== undefined;
    if (record.hash === options.expectHash) expectedSeen = true;
  }
  const end = skipped + lines.length + 1;

  let anchored: number | null = null;
  if (hasAnchor) {
    if (!key) return fail(end, 'KEY_MISSING', 'the log has an anchor, and no key was given: a keyed log cannot be verified without its key');
    if (!anchor) return fail(end, 'ANCHOR_INVALID', (anchorRead as { problem: string }).problem);
    if (anchor.seq > records)
      return fail(end, 'MISSING_RECORDS', `the anchor vouches for ${anchor.seq} records ending with ${anchor.hash}, and the log holds ${records}: records were cut off at the end, or the log was rewritten`);
    if (anchoredHash !== anchor.hash)
      return fail(Math.max(anchor.seq, 1), 'ANCHOR_MISMATCH', `the log was rewritten: record ${anchor.seq} hashes to ${anchoredHash}, and the anchor holds ${anchor.hash}`);
    if (records > anchor.seq && !firstUnanchoredSigned)
      return fail(anchor.seq + 1, 'ANCHOR_MISMATCH', `record ${anchor.seq + 1} is neither anchored nor signed with the log's key: it was added without the writer`);
    if (records > anchor.seq + 1)
      return fail(anchor.seq + 2, 'ANCHOR_MISMATCH', `records ${anchor.seq + 2} to ${records} are not anchored (the anchor ends at record ${anchor.seq}, and a writer anchors each record before it appends the next): they were added without the writer, or an older anchor was put back`);
    anchored = anchor.seq;
  } else if (keyedFrom !== undefined) {
    return fail(end, 'ANCHOR_MISSING', `the log has no anchor, and its records from ${keyedFrom} on are signed with its key: the anchor was deleted`);
  } else if (key) {
    return fail(end, 'ANCHOR_MISSING', 'the log has a key and no anchor: the anchor was deleted (a writer that has a key anchors the log when it opens it)');
  }
  if (!expectedSeen)
    return fail(end, 'MISSING_RECORDS', `no record has the expected hash ${options.expectHash}: records were cut off at the end (the log ends with ${lastHash})`);
  return { ok: true, records, lastHash, anchored };
}
