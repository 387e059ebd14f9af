// The audit log writer: hash-chained records (the format of @handrail/policy), appended and
// fsync'ed before the run goes on. One writer per file at a time, held by a lock file.
import { chainAuditRecord, type AuditEntry, type AuditRecord } from '@handrail/policy';
import { acquireFileLock } from '../durable/file-lock.js';
import { JsonLinesFile } from '../durable/json-lines-file.js';

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
  #last: AuditRecord | undefined;
  #broken: Error | undefined;

  private constructor(path: string, file: JsonLinesFile<AuditRecord>, release: () => Promise<void>, records: AuditRecord[]) {
    this.path = path;
    this.#file = file;
    this.#release = release;
    this.#last = records.at(-1);
    this.#ids = new Set(records.flatMap((record) => (record.id !== undefined ? [record.id] : [])));
  }

  /**
   * Opens (or creates) the log at `path` and takes its lock (`path.lock`) until `close`. A torn
   * last line, left by a crash in the middle of an append that was never acknowledged, is cut
   * off; new records chain on from the last whole record.
   */
  static async open(path: string): Promise<AuditLog> {
    const release = await acquireFileLock(`${path}.lock`, `audit log ${path}`);
    try {
      const { file, values } = await JsonLinesFile.open<AuditRecord>(path);
      return new AuditLog(path, file, release, values);
    } catch (error) {
      await release();
      throw error;
    }
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
   * Chains the entry after the last record and appends it; resolves with the record once it is
   * on disk (fsync'ed). An entry whose `id` is already in the log is not written again: the
   * promise resolves with undefined. When a write fails (a full disk), this append and every
   * later one reject with the same WriteFailedError; the file keeps its whole records.
   */
  async append(entry: AuditEntry): Promise<AuditRecord | undefined> {
    // The chain in memory ran ahead of the file: nothing may follow a record that is not there.
    if (this.#broken) throw this.#broken;
    if (entry.id !== undefined) {
      if (this.#ids.has(entry.id)) return undefined;
      this.#ids.add(entry.id);
    }
    // Chained now, written in call order: the file's order is the chain's.
    const record = chainAuditRecord(entry, this.#last);
    this.#last = record;
    try {
      await this.#file.append(record);
    } catch (error) {
      // WriteFailedError: the file was cut back to its last whole record, which still verifies.
      this.#broken = error as Error;
      throw error;
    }
    return record;
  }

  /** Waits for pending appends, closes the file and releases the lock. */
  async close(): Promise<void> {
    try {
      await this.#file.close();
    } finally {
      await this.#release();
    }
  }
}
