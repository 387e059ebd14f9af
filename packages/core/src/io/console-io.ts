// The console io: readline on stdin/stdout. Works on a TTY and on piped stdin, where answers
// arrive as lines that may be buffered before they are asked for.
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { HumanIO, InputOptions } from './human-io.js';

export interface ConsoleIOOptions {
  input?: Readable;
  output?: Writable;
}

/**
 * Prints to stdout and asks on stdin. Lines piped in before a question is asked are kept for
 * it; at the end of input every further question gets an empty answer, so a run never hangs.
 *
 * @example
 * const user = new UserProxyAgent('user', { io: new ConsoleIO() });
 */
export class ConsoleIO implements HumanIO {
  readonly #input: Readable;
  readonly #output: Writable;
  #reader: Interface | undefined;
  #lines: string[] = [];
  #waiting: Array<(line: string | undefined) => void> = [];
  #closed = false;

  constructor(options: ConsoleIOOptions = {}) {
    this.#input = options.input ?? process.stdin;
    this.#output = options.output ?? process.stdout;
  }

  print(text: string): void {
    this.#output.write(`${text}\n`);
  }

  async input(prompt: string, options: InputOptions = {}): Promise<string> {
    this.#output.write(prompt);
    this.#open();
    if (options.signal?.aborted) return '';
    // Hold the process open only while a question waits, so a finished run can exit on a TTY.
    const handle = this.#input as { ref?(): void; unref?(): void };
    handle.ref?.();
    const line = await new Promise<string | undefined>((resolve) => {
      const queued = this.#lines.shift();
      if (queued !== undefined) return resolve(queued);
      if (this.#closed) return resolve(undefined);
      const settle = (value: string | undefined) => {
        this.#waiting = this.#waiting.filter((waiter) => waiter !== settle);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () => {
        this.#output.write('\n');
        settle('');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(settle);
    });
    handle.unref?.();
    if (line === undefined) this.#output.write('\n');
    // Piped answers are not echoed by the terminal: echo them so the transcript reads as typed.
    else if (!(this.#input as { isTTY?: boolean }).isTTY) this.#output.write(`${line}\n`);
    return line ?? '';
  }

  /** Stops reading stdin, so the process can exit. */
  close(): void {
    this.#reader?.close();
  }

  #open(): Interface {
    if (this.#reader) return this.#reader;
    const reader = createInterface({ input: this.#input, terminal: false });
    reader.on('line', (line) => {
      const waiter = this.#waiting[0];
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    reader.on('close', () => {
      this.#closed = true;
      for (const waiter of [...this.#waiting]) waiter(undefined);
    });
    this.#reader = reader;
    return reader;
  }
}
