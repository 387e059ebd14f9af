// The dispatch table and what happens around every command: help, usage errors, and turning a
// user's mistake into a message and an exit code instead of a stack trace.
import { readFileSync } from 'node:fs';
import { PolicyError } from '../index.js';
import { closest } from '../suggest.js';
import { CliError, UsageError, exitCodes, type Command, type Io } from './command.js';
import { check } from './commands/check.js';
import { compile } from './commands/compile.js';
import { explain } from './commands/explain.js';
import { test } from './commands/test.js';
import { audit } from './commands/audit.js';
import { fmt } from './commands/fmt.js';
import { replay } from './commands/replay.js';
import { init } from './commands/init.js';
import { mcp } from './commands/mcp.js';
import { lint } from './commands/lint.js';

/** Every command, in the order `handrail help` lists them. A new command is one more entry. */
export const commands: readonly Command[] = [init, check, lint, compile, explain, audit, test, fmt, replay, mcp];

/** The package's version, from its package.json (two levels up from src/cli and from dist/cli alike). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

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
    '  --version  print the version of handrail',
    '  -h, --help print this help (after a command: that command\'s)',
    '',
    'Exit codes: 0 success, 1 invalid policy or unreadable file, 2 wrong usage.',
    '',
  ].join('\n');
}

function find(name: string | undefined): Command | undefined {
  return commands.find((c) => c.name === name);
}

/** One line for a command that does not exist, and how to find the ones that do. */
function unknownCommand(name: string): string {
  const meant = closest(name, commands.map((c) => c.name));
  return `handrail: unknown command "${name}"\n${meant ? `did you mean handrail ${meant}? ` : ''}Run handrail --help for the list of commands.\n`;
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
  if (name === '--version') {
    io.stdout(`handrail ${version()}\n`);
    return exitCodes.ok;
  }
  if (helpFlags.has(name) || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic !== undefined && !find(topic)) {
      io.stderr(unknownCommand(topic));
      return exitCodes.usage;
    }
    io.stdout(usage(find(topic)));
    return exitCodes.ok;
  }
  const command = find(name);
  if (!command) {
    io.stderr(name.startsWith('-') ? `handrail: unknown option ${name}\nRun handrail --help for the commands and their options.\n` : unknownCommand(name));
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
      const { brief, hint } = error.details;
      if (brief) io.stderr(`handrail ${command.name}: ${error.message}\n${hint ? `${hint} ` : ''}Run handrail ${command.name} --help for its usage.\n`);
      else io.stderr(`handrail ${command.name}: ${error.message}\n\n${usage(command)}`);
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
