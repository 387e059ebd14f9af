// `handrail test [PATH…]`: run the policy tests found under the paths, report failures with their
// explanations and, when asked, what the tests left uncovered; exit 1 on any failure.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { sleep } from '../../deadline.js';
import { ConfigurationError } from '../../errors.js';
import { jsonReport } from '../../policy-tests/report-json.js';
import { junitReport } from '../../policy-tests/report-junit.js';
import { formatTextReport } from '../../policy-tests/report-text.js';
import { runPolicyTests } from '../../policy-tests/run-paths.js';
import { CliError, exitCodes, parseCommandLine, type Command, type Io } from '../command.js';
import { reasonOf } from '../load-policy-file.js';

const engines = ['fast', 'reference'] as const;
const reporters = ['text', 'json', 'junit'] as const;

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`--${option} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`, exitCodes.usage);
  return value as T;
}

function percentage(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 100)
    throw new CliError(`--coverage-threshold must be a percentage from 0 to 100, not ${JSON.stringify(value)}`, exitCodes.usage);
  return number;
}

/** `handrail test`: the policy tests under the given paths. */
export const test: Command = {
  name: 'test',
  summary: 'run policy tests (*.policy.test.json); report failures, coverage; exit 1 on failure',
  usage: `handrail test [PATH…] [options]

  Runs the test files (NAME.policy.test.json) found in the given files and directories
  (searched recursively, node_modules and hidden folders skipped; default: .). Each failure is
  printed with the turn, the expected and actual decisions, and the conditions of the rules
  involved with the values they saw. The last line is "N passed, N failed". See
  docs/testing-policies.md for the test format.

  --engine fast|reference   the evaluator (reference is json-rules-engine itself)
  --coverage                list rules that held in no case and conditions not seen both
                            true and false
  --coverage-threshold N    fail unless every policy's rule coverage is at least N percent
                            (implies --coverage)
  --reporter text|json|junit
                            the report's format (default text)
  --output FILE             write the report to FILE; the text report still goes to stdout
  --watch                   run again whenever a .policy or .policy.test.json file under the
                            paths changes (changes within 100 ms make one run); stop with Ctrl-C

  Exit codes: 0 all passed, 1 a case failed, a file could not be loaded, no tests were found or
  coverage is below the threshold, 2 wrong usage.`,

  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      engine: { type: 'string' },
      coverage: { type: 'boolean' },
      'coverage-threshold': { type: 'string' },
      reporter: { type: 'string' },
      output: { type: 'string' },
      watch: { type: 'boolean' },
    });
    const engine = oneOf('engine', values.engine, engines) ?? 'fast';
    const reporter = oneOf('reporter', values.reporter, reporters) ?? 'text';
    const threshold = percentage(values['coverage-threshold']);
    if (values.output !== undefined && values.output.trim() === '') throw new CliError('--output needs a FILE', exitCodes.usage);
    const paths = positionals.length ? positionals : ['.'];
    const coverage = values.coverage === true || threshold !== undefined;
    const once = () => runOnce(io, { paths, engine, coverage, reporter, threshold, output: values.output });
    return values.watch ? watchAndRun(io, paths, once) : once();
  },
};

interface RunOptions {
  paths: string[];
  engine: (typeof engines)[number];
  coverage: boolean;
  reporter: (typeof reporters)[number];
  threshold: number | undefined;
  output: string | undefined;
}

/** Changes closer together than this make one run: an editor's save is often several writes. */
export const watchDebounceMs = 100;

const watched = (name: string) => name.endsWith('.policy') || name.endsWith('.policy.test.json');

/**
 * Runs the tests, then again after each change to a policy or test file under the paths, until
 * io.signal aborts. A run that fails (even one that cannot load a file) is reported and waited
 * past: the next save may fix it.
 */
async function watchAndRun(io: Io, paths: string[], once: () => Promise<number>): Promise<number> {
  const attempt = async (): Promise<number> => {
    try {
      return await once();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      io.stderr(`handrail: ${error.message}\n`);
      return error.exitCode;
    }
  };
  let changed: string | undefined;
  let wake: () => void = () => undefined;
  const watchers: FSWatcher[] = [];
  try {
    for (const path of paths) {
      try {
        // A file is watched through its directory: editors often save by replacing the file.
        const directory = statSync(path).isDirectory();
        const listener = (_event: string, name: string | Buffer | null) => {
          const file = name === null ? undefined : String(name);
          if (file !== undefined && !watched(file) && (directory || file !== basename(path))) return;
          changed ??= file ?? path;
          wake();
        };
        watchers.push(directory ? watch(path, { recursive: true }, listener) : watch(dirname(path), listener));
      } catch (error) {
        throw new CliError(`cannot watch ${path}: ${reasonOf(error)}`);
      }
    }
    let code = await attempt();
    const stopped = new Promise<void>((resolve) => io.signal?.addEventListener('abort', () => resolve(), { once: true }));
    for (;;) {
      io.stdout(`\nwatching ${paths.join(', ')} for changes to .policy and .policy.test.json files\n`);
      const next = new Promise<void>((resolve) => (wake = resolve));
      if (changed === undefined) await Promise.race([next, stopped]);
      if (io.signal?.aborted) return code;
      await sleep(watchDebounceMs, io.signal ? { signal: io.signal } : {});
      if (io.signal?.aborted) return code;
      io.stdout(`\n${changed} changed: running the tests again\n\n`);
      changed = undefined;
      code = await attempt();
    }
  } finally {
    for (const watcher of watchers) watcher.close();
  }
}

async function runOnce(io: Io, { paths, engine, coverage, reporter, threshold, output }: RunOptions): Promise<number> {
  let run;
  try {
    run = await runPolicyTests(paths, { engine, coverage });
  } catch (error) {
    if (ConfigurationError.isInstance(error) && error.code === 'CONFIGURATION') throw new CliError(error.message);
    throw error;
  }
  if (run.suites.length === 0 && run.failures.length === 0) {
    const untested = run.untested.length ? ` (${run.untested.length} ${run.untested.length === 1 ? 'policy has' : 'policies have'} none: ${run.untested.join(', ')})` : '';
    throw new CliError(`no policy tests (*.policy.test.json) found in ${paths.join(', ')}${untested}`);
  }

  const reportOptions = threshold !== undefined ? { threshold } : {};
  const text = formatTextReport(run, reportOptions);
  const report = reporter === 'json' ? `${JSON.stringify(jsonReport(run, reportOptions), null, 2)}\n` : reporter === 'junit' ? junitReport(run, reportOptions) : text;
  if (output !== undefined) {
    try {
      await writeFile(output, report);
    } catch (error) {
      throw new CliError(`cannot write ${output}: ${(error as Error).message}`);
    }
    io.stdout(text);
  } else io.stdout(report);

  const below = threshold !== undefined && (run.coverage ?? []).some((policy) => policy.rulePercent < threshold);
  return run.failed > 0 || below ? exitCodes.failed : exitCodes.ok;
}
