// `handrail test [PATH…]`: run the policy tests found under the paths, report failures with their
// explanations and, when asked, what the tests left uncovered; exit 1 on any failure.
import { writeFile } from 'node:fs/promises';
import { ConfigurationError } from '../../errors.js';
import { jsonReport } from '../../policy-tests/report-json.js';
import { junitReport } from '../../policy-tests/report-junit.js';
import { formatTextReport } from '../../policy-tests/report-text.js';
import { runPolicyTests } from '../../policy-tests/run-paths.js';
import { CliError, exitCodes, parseCommandLine, type Command } from '../command.js';

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

  Exit codes: 0 all passed, 1 a case failed, a file could not be loaded, no tests were found or
  coverage is below the threshold, 2 wrong usage.`,

  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      engine: { type: 'string' },
      coverage: { type: 'boolean' },
      'coverage-threshold': { type: 'string' },
      reporter: { type: 'string' },
      output: { type: 'string' },
    });
    const engine = oneOf('engine', values.engine, engines) ?? 'fast';
    const reporter = oneOf('reporter', values.reporter, reporters) ?? 'text';
    const threshold = percentage(values['coverage-threshold']);
    if (values.output !== undefined && values.output.trim() === '') throw new CliError('--output needs a FILE', exitCodes.usage);
    const paths = positionals.length ? positionals : ['.'];
    const coverage = values.coverage === true || threshold !== undefined;

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
    if (values.output !== undefined) {
      try {
        await writeFile(values.output, report);
      } catch (error) {
        throw new CliError(`cannot write ${values.output}: ${(error as Error).message}`);
      }
      io.stdout(text);
    } else io.stdout(report);

    const below = threshold !== undefined && (run.coverage ?? []).some((policy) => policy.rulePercent < threshold);
    return run.failed > 0 || below ? exitCodes.failed : exitCodes.ok;
  },
};
