// An append-only file of JSON values, one a line. Each append writes the whole line, then
// fsyncs, before the caller goes on: a line on disk is a line that happened. A crash can only
// leave the last line torn (written in part, never acknowledged); opening drops it. A write
// that fails (a full disk, an I/O error) rejects, cuts the file back to its last whole line and
// ends the file's appends: no record ever follows a torn one.
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigurationError, HandrailError } from '@handrail/policy';

/** What opening found: the values in order, and the bytes of a torn last line it dropped. */
export interface OpenedJsonLines<T> {
  file: JsonLinesFile<T>;
  values: T[];
  /** The length in bytes of the incomplete last line removed, 0 when the file was whole. */
  droppedBytes: number;
}

/**
 * A line before the last that is not JSON: no crash does that, the file was damaged or edited.
 *
 * @example
 * catch (error) { if (error instanceof DamagedFileError) console.error(error.path, error.line); }
 */
export class DamagedFileError extends HandrailError {
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super('FILE_DAMAGED', `${path}:${line}: ${detail}`);
  }
}

/**
 * A record that could not be written whole (`cause`: the system's error, e.g. `ENOSPC` on a full
 * disk). The file was cut back to its last whole record and takes no more appends; reopen it
 * once the cause is gone.
 *
 * @example
 * catch (error) { if (error instanceof WriteFailedError && (error.cause as NodeJS.ErrnoException).code === 'ENOSPC') alertOperator('disk full'); }
 */
export class WriteFailedError extends HandrailError {
  constructor(
    readonly path: string,
    cause: unknown,
    cutBack: boolean,
  ) {
    super(
      'WRITE_FAILED',
      `${path}: a record could not be written (${(cause as Error).message}); ${cutBack ? 'the file was cut back to its last whole record' : 'the file could not be cut back, and opening it will drop its torn last line'}, and it takes no more appends until it is reopened`,
      { cause },
    );
  }
}

/**
 * Writes all of `bytes` at the handle's position (the end, for a file opened to append): a
 * write that stops short is continued, so that a full disk surfaces as the error it is
 * (`ENOSPC`) rather than as a short count nobody looked at.
 */
export async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
    if (bytesWritten <= 0) throw Object.assign(new Error(`write stored nothing (${bytesWritten} bytes)`), { code: 'EIO' });
    written += bytesWritten;
  }
}

/**
 * The values of the whole lines of a JSON-lines text; a last line without its newline is torn
 * and left out. A bad line before it throws DamagedFileError.
 */
export function parseJsonLines<T>(path: string, text: string): T[] {
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  if (whole === '') return [];
  return whole
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      try {
        return JSON.parse(line) as T;
      } catch (error) {
        throw new DamagedFileError(path, index + 1, `not valid JSON (${(error as Error).message}); only the last line of a file can be torn by a crash, so the file was damaged or edited`);
      }
    });
}

/**
 * Makes a new directory entry durable: fsync of the directory, where the platform allows it.
 */
export async function syncDirectory(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * One append-only JSON-lines file, written by one process at a time (callers hold a lock).
 *
 * @example
 * const { file, values } = await JsonLinesFile.open<Entry>('runs/run-42.jsonl');
 * await file.append({ type: 'step-started', key: 'charge-card' }); // on disk when this resolves
 */
export class JsonLinesFile<T> {
  readonly path: string;
  readonly #handle: FileHandle;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** The length of the whole lines written: where a failed append is cut back to. */
  #size: number;
  #failed: WriteFailedError | undefined;

  private constructor(path: string, handle: FileHandle, size: number) {
    this.path = path;
    this.#handle = handle;
    this.#size = size;
  }

  /**
   * Opens (creating it and its directory when missing) and reads the file; a torn last line is
   * cut off the file, so the next append starts on a line of its own.
   */
  static async open<T>(path: string): Promise<OpenedJsonLines<T>> {
    await mkdir(dirname(path), { recursive: true });
    let bytes: Buffer;
    let created = false;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      bytes = Buffer.alloc(0);
      created = true;
    }
    const whole = bytes.lastIndexOf(0x0a) + 1;
    const handle = await open(path, 'a');
    try {
      if (whole < bytes.length) {
        await handle.truncate(whole);
        await handle.sync();
      }
      if (created) await syncDirectory(dirname(path));
    } catch (error) {
      await handle.close();
      throw error;
    }
    let values: T[];
    try {
      values = parseJsonLines<T>(path, bytes.subarray(0, whole).toString('utf8'));
    } catch (error) {
      await handle.close();
      throw error;
    }
    return { file: new JsonLinesFile<T>(path, handle, whole), values, droppedBytes: bytes.length - whole };
  }

  /**
   * Appends one value as a line; resolves once the line is written and fsync'ed. Appends keep
   * their call order. One that fails rejects with WriteFailedError, and so does every append
   * after it (the same error).
   */
  append(value: T): Promise<void> {
    if (this.#closed) return Promise.reject(new ConfigurationError(`${this.path} is closed`));
    const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    const done = this.#queue.then(async () => {
      if (this.#failed) throw this.#failed;
      try {
        await writeFully(this.#handle, line);
        await this.#handle.sync();
      } catch (error) {
        this.#failed = new WriteFailedError(this.path, error, await this.#cutBack());
        throw this.#failed;
      }
      this.#size += line.length;
    });
    this.#queue = done.catch(() => undefined);
    return done;
  }

  /** Truncates the file to its whole lines, dropping what a failed append left; false when that failed too. */
  async #cutBack(): Promise<boolean> {
    try {
      await this.#handle.truncate(this.#size);
      await this.#handle.sync();
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle.close();
  }
}
