// What every command shares: how it writes, how it reports a user's mistake, how it is listed.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../suggest.js';

/** Where a command writes; the process streams in `main.ts`, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Ends a command that runs until stopped (`handrail test --watch`); the process's own ends with it. */
  signal?: AbortSignal;
  /** The user's project, where `handrail mcp` looks for the gateway; the working directory by default. */
  cwd?: string;
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
  /**
   * The process exits once the command returns: what it served (an upstream server's transport,
   * stdin) may otherwise hold it open.
   */
  endsProcess?: boolean;
}

/**
 * The command line itself is wrong, exit code 2. Printed with the command's usage; or, when
 * `brief` (a mistyped option: the whole usage would bury the one word that is wrong), as one
 * line, the hint if any, and where to find the usage.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    readonly details: { brief?: boolean; hint?: string } = {},
  ) {
    super(message);
  }
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

/** Every spelling of an option a command accepts: `--name`, `-s`, and `--no-name` for booleans. */
function spellings(options: Options): string[] {
  return Object.entries(options).flatMap(([name, option]) => [
    `--${name}`,
    ...(option.short ? [`-${option.short}`] : []),
    ...(option.type === 'boolean' ? [`--no-${name}`] : []),
  ]);
}

/** The option `parseArgs` names in its message (`'--engine <value>'` → `--engine`). */
function optionIn(message: string): string {
  return /'(-[^' ]*)/.exec(message)?.[1] ?? '';
}

/**
 * `parseArgs` in strict mode, with its errors turned into UsageErrors in the CLI's own words
 * (Node's text names `--` tricks that a mistyped option does not need), so that they print as
 * one line and a hint rather than as a crash.
 */
export function parseCommandLine<const T extends Options>(args: string[], options: T): ParsedCommandLine<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true, allowNegative: true });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const option = optionIn((error as Error).message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const meant = closest(option.split('=')[0]!, spellings(options));
      throw new UsageError(`unknown option ${option}`, { brief: true, ...(meant ? { hint: `did you mean ${meant}?` } : {}) });
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError((error as Error).message.includes('does not take') ? `option ${option} takes no value` : `option ${option} needs a value`, { brief: true });
    throw new UsageError((error as Error).message, { brief: true });
  }
}
