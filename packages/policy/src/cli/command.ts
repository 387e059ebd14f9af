// What every command shares: how it writes, how it reports a user's mistake, how it is listed.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes; the process streams in `main.ts`, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** One entry of the dispatch table. */
export interface Command {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The synopsis and options, printed by `handrail help NAME` and after a usage error. */
  usage: string;
  /** Returns the exit code. Throws UsageError or CliError for a user's mistake. */
  run(args: string[], io: Io): Promise<number>;
}

/** The command line itself is wrong: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A user's mistake that is not about usage (a file that cannot be read): one line, no stack. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 1 for a problem in the user's input, 2 for a malformed command line. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;
type Config<T extends Options> = { args: string[]; options: T; strict: true; allowPositionals: true; allowNegative: true };
/** The values and positionals `parseArgs` gives for a command's options. */
export type ParsedCommandLine<T extends Options> = ReturnType<typeof parseArgs<Config<T>>>;

/**
 * `parseArgs` in strict mode, with its errors turned into UsageErrors so that they print as
 * usage rather than as a crash.
 */
export function parseCommandLine<const T extends Options>(args: string[], options: T): ParsedCommandLine<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true, allowNegative: true });
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(error.message);
    throw error;
  }
}
