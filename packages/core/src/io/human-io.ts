// What an io is: the interface every io implements (kept apart from the process default, which
// needs the console io, so that the console io can implement it without a cycle).
/** Options of one question. */
export interface InputOptions {
  /** Aborted when the question's time is up; an implementation should stop waiting then. */
  signal?: AbortSignal;
}

/**
 * Human input and output of a run. `print` shows every message and note, `input` asks every
 * question (the prompt is shown by `input`, not printed before it).
 *
 * @example
 * const io: HumanIO = {
 *   print: (text) => console.log(text),
 *   input: async (prompt) => (await rl.question(prompt)).trim(),
 * };
 */
export interface HumanIO {
  print(text: string): void;
  input(prompt: string, options?: InputOptions): Promise<string>;
}
