// Scripted human input: answers given in advance, and a transcript of everything shown.
import { startDeadline } from '@handrail/policy';
import type { HumanIO, InputOptions } from '../io/io.js';

/**
 * One scripted answer: text; text after a delay; or silence (never answers, so only a timeout
 * ends the question).
 */
export type ScriptedAnswer = string | { text: string; delayMs: number } | { silence: true };

/** One thing the person saw: a printed text, or a question and the answer given. */
export type TranscriptEntry = { type: 'print'; text: string } | { type: 'input'; prompt: string; answer: string; timedOut?: boolean };

export interface ScriptedIOOptions {
  /** Also write everything to this function (e.g. `process.stdout.write`), as a console would show it. */
  echo?: (text: string) => void;
  /** The answer once the script is used up; by default a question then throws. */
  whenDone?: string;
}

/**
 * An io for tests and demos: answers from a list, every print and question recorded.
 *
 * @example
 * const io = new ScriptedIO(['', 'exit']);
 * await user.initiateChat(assistant, { message: 'task' });
 * expect(io.transcript).toEqual([...]);
 */
export class ScriptedIO implements HumanIO {
  readonly transcript: TranscriptEntry[] = [];
  readonly #answers: ScriptedAnswer[];
  readonly #options: ScriptedIOOptions;

  constructor(answers: readonly ScriptedAnswer[] = [], options: ScriptedIOOptions = {}) {
    this.#answers = [...answers];
    this.#options = options;
  }

  /** Answers not used yet. */
  get remaining(): readonly ScriptedAnswer[] {
    return this.#answers;
  }

  /** Only the printed texts. */
  get printed(): string[] {
    return this.transcript.flatMap((entry) => (entry.type === 'print' ? [entry.text] : []));
  }

  /** Only the questions asked. */
  get prompts(): string[] {
    return this.transcript.flatMap((entry) => (entry.type === 'input' ? [entry.prompt] : []));
  }

  /** Everything as a console would have shown it. */
  get text(): string {
    return this.transcript.map((entry) => (entry.type === 'print' ? `${entry.text}\n` : `${entry.prompt}${entry.answer}\n`)).join('');
  }

  print(text: string): void {
    this.transcript.push({ type: 'print', text });
    this.#options.echo?.(`${text}\n`);
  }

  async input(prompt: string, options: InputOptions = {}): Promise<string> {
    const next = this.#answers.shift() ?? this.#options.whenDone;
    if (next === undefined) throw new Error(`ScriptedIO has no answer left for the prompt ${JSON.stringify(prompt)}`);
    const entry: TranscriptEntry = { type: 'input', prompt, answer: '' };
    this.transcript.push(entry);
    this.#options.echo?.(prompt);
    let answer: string;
    let timedOut = false;
    if (typeof next === 'string') answer = next;
    else {
      const delay = 'silence' in next ? undefined : next.delayMs;
      answer = await new Promise<string>((resolve) => {
        const cancel = delay === undefined ? () => undefined : startDeadline(delay, () => resolve((next as { text: string }).text));
        const abort = () => {
          cancel();
          timedOut = true;
          resolve('');
        };
        if (options.signal?.aborted) abort();
        else options.signal?.addEventListener('abort', abort, { once: true });
      });
    }
    entry.answer = answer;
    if (timedOut) entry.timedOut = true;
    this.#options.echo?.(`${answer}\n`);
    return answer;
  }
}
