// The audit log writer: hash-chained records signed with the log's key (the format of
// @handrail/policy), appended and fsync'ed before the run goes on, each followed by a new anchor.
// One writer per file at a time, held by a lock file.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  auditAnchorFile,
  auditKeyFile,
  auditLine,
  chainAuditRecord,
  HandrailError,
  readAuditAnchor,
  readAuditKeyFile,
  verifyAuditLog,
  type AuditEntry,
  type AuditProblem,
  type AuditRecord,
} from '@handrail/policy';
import { acquireFileLock } from '../durable/file-lock.js';
import { JsonLinesFile, WriteFailedError } from '../durable/json-lines-file.js';
import { createAuditKey, writeAuditAnchor } from './audit-files.js';

/**
 * An audit log that does not verify, so it is not appended to: appending would anchor records
 * cut off or rewritten by someone else. `problem` is what `handrail audit verify` reports.
 *
 * @example
 * try { await AuditLog.open('audit.jsonl'); }
 * catch (error) { if (error instanceof AuditLogError) console.error(error.problem.code, error.problem.line); }
 */
export class AuditLogError extends HandrailError {
  declare readonly code: 'AUDIT_LOG_INVALID';

  constructor(
    readonly path: string,
    readonly problem: AuditProblem,
  ) {
    super('AUDIT_LOG_INVALID', `${path}:${problem.line}: ${problem.code}: ${problem.message}; the log is not appended to until this is resolved`);
  }
}

/**
 * Where a log's key is: see `auditKeyFile` (default `<log>.key`, or `HANDRAIL_AUDIT_KEY_FILE`).
 *
 * @example
 * const audit = await AuditLog.open('.handrail/audit.jsonl', { keyFile: '/run/secrets/audit.key' });
 */
export interface AuditLogOptions {
  keyFile?: string;
}

/**
 * An audit log open for appending.
 *
 * @example
 * const audit = await AuditLog.open('audit.jsonl');
 * await audit.append(decisionAuditEntry(decision, { runId: 'run-42', agent: 'user' }));
 * await audit.close();
 * // later: npx handrail audit verify audit.jsonl
 */
export class AuditLog {
  readonly path: string;
  readonly #file: JsonLinesFile<AuditRecord>;
  readonly #release: () => Promise<void>;
  readonly #ids: Set<string>;
  readonly #key: Uint8Array;
  #last: AuditRecord | undefined;
  #broken: Error | undefined;
  // Each append writes its line, then its anchor, before the next line: the anchor is never more
  // than one record behind the log.
  #queue: Promise<void> = Promise.resolve();

  private constructor(path: string, file: JsonLinesFile<AuditRecord>, release: () => Promise<void>, records: AuditRecord[], key: Uint8Array) {
    this.path = path;
    this.#file = file;
    this.#release = release;
    this.#key = key;
    this.#last = records.at(-1);
    this.#ids = new Set(records.flatMap((record) => (record.id !== undefined ? [record.id] : [])));
  }

  /**
   * Opens (or creates) the log at `path` and takes its lock (`path.lock`) until `close`. A torn
   * last line, left by a crash in the middle of an append that was never acknowledged, is cut
   * off; new records chain on from the last whole record.
   *
   * The log's end is checked against its anchor with its key first (see `verifyAuditLog`): a log
   * cut off, rewritten, or without its anchor or key throws AuditLogError, and nothing is written.
   * A log without a key gets one (`<log>.key`, mode 0600, unless `keyFile` or
   * `HANDRAIL_AUDIT_KEY_FILE` names another file); a log written before anchors is adopted: its
   * chain checked, anchored as it is, its records from then on signed.
   */
  static async open(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    // The lock file sits beside the log, so the log's directory must exist first.
    await mkdir(dirname(path), { recursive: true });
    const release = await acquireFileLock(`${path}.lock`, `audit log ${path}`);
    let file: JsonLinesFile<AuditRecord> | undefined;
    try {
      const opened = await JsonLinesFile.open<AuditRecord>(path);
      file = opened.file;
      const key = await AuditLog.#verifyAndAnchor(path, opened.values, options);
      return new AuditLog(path, file, release, opened.values, key);
    } catch (error) {
      await file?.close();
      await release();
      throw error;
    }
  }

  /** Verifies the log as opened and brings its anchor up to its last record; resolves with the key. */
  static async #verifyAndAnchor(path: string, records: AuditRecord[], options: AuditLogOptions): Promise<Uint8Array> {
    const keyPath = auditKeyFile(path, options.keyFile);
    const anchorPath = auditAnchorFile(path);
    let key = await readAuditKeyFile(keyPath);
    const anchor = await readFile(anchorPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    // A log with no anchor and no signed record was written before anchors (or the writer
    // stopped between making its key and anchoring it): its chain is checked, then it is anchored.
    const adopting = anchor === null && records.every((record) => record.mac === undefined);
    // Otherwise what matters here is the end: the anchored record and the one after it. Appending
    // to a log cut off or rewritten would anchor it; damage before the end shows to `verify` all
    // the same, and checking only the end keeps opening a long log quick.
    const read = key && anchor !== null ? readAuditAnchor(anchor, key) : undefined;
    const anchoredSeq = read && 'anchor' in read && read.anchor.seq <= records.length ? read.anchor.seq : 0;
    const skip = adopting ? 0 : Math.max(anchoredSeq - 1, 0);
    const text = records.slice(skip).map(auditLine).join('');
    const after = skip > 0 ? { after: { seq: skip, hash: (records[skip - 1] as AuditRecord | null)?.hash ?? '' } } : {};
    const verdict = verifyAuditLog(text, adopting ? {} : { ...(key ? { key } : {}), anchor, ...after });
    if (!verdict.ok) {
      const problem = verdict.problem.code === 'KEY_MISSING' ? { ...verdict.problem, message: `${verdict.problem.message} (looked for it in ${keyPath})` } : verdict.problem;
      throw new AuditLogError(path, problem);
    }
    key ??= await createAuditKey(keyPath);
    if (verdict.anchored !== verdict.records) await writeAuditAnchor(anchorPath, key, verdict.records, verdict.lastHash);
    return key;
  }

  /** The number of records. */
  get size(): number {
    return this.#last?.seq ?? 0;
  }

  /** The hash of the last record; undefined while the log is empty. */
  get lastHash(): string | undefined {
    return this.#last?.hash;
  }

  /** Whether a record with this id is in the log. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * Chains the entry after the last record, signs it and appends it, then anchors the log at it;
   * resolves with the record once both are on disk (fsync'ed). An entry whose `id` is already in
   * the log is not written again: the promise resolves with undefined. When a write fails (a full
   * disk), this append and every later one reject with the same WriteFailedError; the file keeps
   * its whole records, and the anchor is at most one record behind them.
   */
  async append(entry: AuditEntry): Promise<AuditRecord | undefined> {
    // The chain in memory ran ahead of the file: nothing may follow a record that is not there.
    if (this.#broken) throw this.#broken;
    if (entry.id !== undefined) {
      if (this.#ids.has(entry.id)) return undefined;
      this.#ids.add(entry.id);
    }
    // Chained now, written in call order: the file's order is the chain's.
    const record = chainAuditRecord(entry, this.#last, this.#key);
    this.#last = record;
    const written = this.#queue.then(async () => {
      // Nothing chained after a record that failed to be written is written.
      if (this.#broken) throw this.#broken;
      await this.#file.append(record);
      const anchorPath = auditAnchorFile(this.path);
      try {
        await writeAuditAnchor(anchorPath, this.#key, record.seq, record.hash);
      } catch (error) {
        // The old anchor is still whole (it is replaced by a rename), one record behind the log.
        throw new WriteFailedError(anchorPath, error, true);
      }
    });
    this.#queue = written.catch(() => undefined);
    try {
      await written;
    } catch (error) {
      // WriteFailedError: the file was cut back to its last whole record, which still verifies
      // (or the anchor could not follow the record just written, which verifies as one behind).
      this.#broken ??= error as Error;
      throw error;
    }
    return record;
  }

  /** Waits for pending appends, closes the file and releases the lock. */
  async close(): Promise<void> {
    try {
      await this.#queue;
      await this.#file.close();
    } finally {
      await this.#release();
    }
  }
}
