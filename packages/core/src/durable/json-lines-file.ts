// An append-only file of JSON values, one a line. Each append is one write of the whole line,
// then fsync, before the caller goes on: a line on disk is a line that happened. A crash can
// only leave the last line torn (written in part, never acknowledged); opening drops it.
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

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
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
    return { file: new JsonLinesFile<T>(path, handle), values, droppedBytes: bytes.length - whole };
  }

  /** Appends one value as a line; resolves once the line is written and fsync'ed. Appends keep their call order. */
  append(value: T): Promise<void> {
    if (this.#closed) return Promise.reject(new ConfigurationError(`${this.path} is closed`));
    const line = `${JSON.stringify(value)}\n`;
    const done = this.#queue.then(async () => {
      await this.#handle.write(line);
      await this.#handle.sync();
    });
    // A failed append fails its caller; the ones after it still run.
    this.#queue = done.catch(() => undefined);
    return done;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle.close();
  }
}
