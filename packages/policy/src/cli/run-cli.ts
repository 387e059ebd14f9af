// The dispatch table and what happens around every command: help, usage errors, and turning a
// user's mistake into a message and an exit code instead of a stack trace.
import { PolicyError } from '../index.js';
import { CliError, UsageError, exitCodes, type Command, type Io } from './command.js';
import { check } from './commands/check.js';
import { compile } from './commands/compile.js';
import { explain } from './commands/explain.js';
import { test } from './commands/test.js';
import { audit } from './commands/audit.js';
import { fmt } from './commands/fmt.js';
import { replay } from './commands/replay.js';

/** Every command, in the order `handrail help` lists them. A new command is one more entry. */
export const commands: readonly Command[] = [check, compile, explain, audit, test, fmt, replay];

const helpFlags = new Set(['--help', '-h']);

/** The usage of every command, or of one. */
export function usage(command?: Command): string {
  if (command) return `usage: ${command.usage}\n`;
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: handrail COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this help, or a command's with: handrail help COMMAND`,
    '',
    ...commands.flatMap((c) => [`${c.usage}`, '']),
    'Exit codes: 0 success, 1 invalid policy or unreadable file, 2 wrong usage.',
    '',
  ].join('\n');
}

function find(name: string | undefined): Command | undefined {
  return commands.find((c) => c.name === name);
}

/**
 * Runs one command line (without `node` and the script) and returns the exit code.
 *
 * @example
 * process.exitCode = await runCli(['check', 'invoices.policy'], { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(usage());
    return exitCodes.usage;
  }
  if (helpFlags.has(name) || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic !== undefined && !find(topic)) {
      io.stderr(`handrail: unknown command "${topic}"\n\n${usage()}`);
      return exitCodes.usage;
    }
    io.stdout(usage(find(topic)));
    return exitCodes.ok;
  }
  const command = find(name);
  if (!command) {
    io.stderr(`handrail: unknown command "${name}"\n\n${usage()}`);
    return exitCodes.usage;
  }
  // Options after `--` are operands, so `--help` there is not a request for help.
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some((arg) => helpFlags.has(arg))) {
    io.stdout(usage(command));
    return exitCodes.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`handrail ${command.name}: ${error.message}\n\n${usage(command)}`);
      return exitCodes.usage;
    }
    if (PolicyError.isInstance(error)) {
      io.stderr(`${error.format()}\n`);
      return exitCodes.failed;
    }
    if (error instanceof CliError) {
      io.stderr(`handrail: ${error.message}\n`);
      return error.exitCode;
    }
    // Anything else is a bug in Handrail, not the user's mistake: keep the stack for the report.
    throw error;
  }
}
