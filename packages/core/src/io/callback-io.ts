// A function as the human: the `getHumanInput` of AutoGen's subclasses, sync or async.
import type { HumanIO, InputOptions } from './io.js';

/** Answers a question; may return the answer or a promise of it. */
export type GetHumanInput = (prompt: string, options?: InputOptions) => string | Promise<string>;

/**
 * An io whose questions are answered by a function; notes go to `print` (console by default).
 *
 * @example
 * const io = callbackIO(async (prompt) => (prompt.includes('NEEDS_REVIEW') ? 'approve' : ''));
 */
export function callbackIO(getHumanInput: GetHumanInput, print: (text: string) => void = (text) => console.log(text)): HumanIO {
  return {
    print,
    input: async (prompt, options) => String((await getHumanInput(prompt, options)) ?? ''),
  };
}
