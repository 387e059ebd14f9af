// A whole `handrail test` run: find the test files, load each policy once, run every case,
// measure coverage per policy over all its test files.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Decision } from '../decision.js';
import { ConfigurationError, PolicyError } from '../errors.js';
import type { Policy } from '../policy.js';
import { measureCoverage, type PolicyCoverage } from './coverage.js';
import { findPolicyTests } from './discover.js';
import { PolicyTestError } from './errors.js';
import { cachedPolicyLoader, loadPolicyTestFile, policyPathOf } from './load.js';
import { runPolicyTestSuite, type RunPolicyTestOptions, type SuiteResult } from './run.js';

/** A file that could not be used: a bad test file, a policy that does not compile. */
export interface LoadFailure {
  /** The test file, or the untested policy, whose loading failed. */
  file: string;
  code: string;
  /** Every problem as code frames, or one line. */
  message: string;
  /** The first problem's place, when known. */
  line?: number;
  col?: number;
}

export interface PolicyTestRun {
  engine: 'fast' | 'reference';
  suites: SuiteResult[];
  failures: LoadFailure[];
  /** Policies found that no test file tests. */
  untested: string[];
  /** Per policy, over all its test files; with `coverage` only. */
  coverage?: PolicyCoverage[];
  /** Cases passed. */
  passed: number;
  /** Cases failed, plus files that could not be loaded. */
  failed: number;
  durationMs: number;
}

export interface RunPolicyTestPathsOptions extends RunPolicyTestOptions {
  coverage?: boolean;
}

function failureOf(file: string, error: unknown): LoadFailure {
  if (PolicyTestError.isInstance(error) || PolicyError.isInstance(error)) {
    const first = error.diagnostics[0];
    return { file, code: error.code, message: error.format(), ...(first ? { line: first.span.line, col: first.span.col } : {}) };
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { file, code: 'UNREADABLE', message: `cannot read ${file}: ${(error as Error).message}` };
  throw error;
}

/** The policy a test file tests, read as best it can be from a file that failed to load. */
function policyNamedBy(file: string): string | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { policy?: unknown };
    return policyPathOf(file, typeof data?.policy === 'string' ? data.policy : undefined);
  } catch {
    return policyPathOf(file, undefined);
  }
}

/**
 * Finds and runs the policy tests under `paths` (files or directories, searched recursively).
 * Throws a ConfigurationError only for a path that does not exist or is not a policy or a test file;
 * a bad test file or policy is a failure of the run.
 *
 * @example
 * const run = await runPolicyTests(['policies'], { coverage: true });
 * if (run.failed) process.exitCode = 1;
 */
export async function runPolicyTests(paths: readonly string[], options: RunPolicyTestPathsOptions = {}): Promise<PolicyTestRun> {
  const started = performance.now();
  const found = await findPolicyTests(paths);
  if (found.problems.length) throw new ConfigurationError(found.problems.join('; '));
  const loadPolicy = cachedPolicyLoader();
  const suites: SuiteResult[] = [];
  const failures: LoadFailure[] = [];
  const tested = new Set<string>();
  for (const file of found.testFiles) {
    try {
      const suite = await loadPolicyTestFile(file, { loadPolicy });
      tested.add(resolve(suite.policyFile));
      suites.push(await runPolicyTestSuite(suite, options));
    } catch (error) {
      failures.push(failureOf(file, error));
      // The policy has tests, even if they cannot run: it is not reported as untested.
      const named = policyNamedBy(file);
      if (named !== undefined) tested.add(resolve(named));
      // The test file's problems came first; a policy that does not compile is reported too.
      if (PolicyTestError.isInstance(error) && named !== undefined) {
        try {
          await loadPolicy(named);
        } catch (policyError) {
          if (PolicyError.isInstance(policyError) && !failures.some((failure) => resolve(failure.file) === resolve(named))) failures.push(failureOf(named, policyError));
        }
      }
    }
  }
  const untested = found.policies.filter((file) => !tested.has(resolve(file)));
  const untestedPolicies: Array<{ file: string; policy: Policy }> = [];
  for (const file of untested) {
    try {
      untestedPolicies.push({ file, policy: await loadPolicy(file) });
    } catch (error) {
      // A policy that does not compile fails the run even with no tests of its own.
      if (!failures.some((failure) => resolve(failure.file) === resolve(file))) failures.push(failureOf(file, error));
    }
  }
  let coverage: PolicyCoverage[] | undefined;
  if (options.coverage) {
    const byPolicy = new Map<Policy, { file: string; decisions: Decision[] }>();
    for (const result of suites) {
      const entry = byPolicy.get(result.suite.policy) ?? { file: result.suite.policyFile, decisions: [] };
      byPolicy.set(result.suite.policy, entry);
      for (const item of result.cases) for (const step of item.steps) entry.decisions.push(step.decision);
    }
    for (const { file, policy } of untestedPolicies) if (!byPolicy.has(policy)) byPolicy.set(policy, { file, decisions: [] });
    coverage = [...byPolicy].map(([policy, { file, decisions }]) => ({ ...measureCoverage(policy, decisions), file }));
  }
  const passed = suites.reduce((sum, suite) => sum + suite.passed, 0);
  const failed = suites.reduce((sum, suite) => sum + suite.failed, 0) + failures.length;
  return { engine: options.engine ?? 'fast', suites, failures, untested, ...(coverage ? { coverage } : {}), passed, failed, durationMs: performance.now() - started };
}
