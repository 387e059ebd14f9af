// JUnit XML, which CI systems (GitHub Actions reporters, GitLab, Jenkins) show as test results:
// one <testsuite> per test file, one <testcase> per case; a file that cannot be loaded is a
// testcase with an <error>; with a coverage threshold, one testcase per policy in a suite named
// "coverage".
import { failureLines } from './failure-details.js';
import { formatMismatches } from './expectation.js';
import { formatPercent } from './report-text.js';
import type { PolicyTestRun } from './run-paths.js';

// Characters XML 1.0 cannot carry at all, even escaped: control characters other than tab, line
// feed and carriage return; lone surrogates; U+FFFE and U+FFFF.
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text escaped for XML content, or for a quoted attribute (quotes too, and line breaks as
 * character references, which parsers would otherwise turn into spaces). Characters XML cannot
 * carry become U+FFFD.
 *
 * @example
 * escapeXml('a < b & "c"', { attribute: true }); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string, options: { attribute?: boolean } = {}): string {
  const escaped = text.replace(notXml, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (!options.attribute) return escaped;
  return escaped.replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const attributes = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value), { attribute: true })}"`)
    .join('');
const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * The run as a JUnit XML document.
 *
 * @example
 * await writeFile('junit.xml', junitReport(run));
 */
export function junitReport(run: PolicyTestRun, options: { threshold?: number } = {}): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const result of run.suites) {
    const cases = result.cases.map((item) => {
      const head = `    <testcase${attributes({ classname: result.suite.policy.name, name: item.name, file: result.suite.file, line: item.span.line, time: seconds(item.durationMs) })}`;
      if (item.passed) return `${head}/>`;
      const lines = failureLines(item);
      const step = item.steps.find((s) => s.mismatches.length);
      const message = item.problem ?? (step ? formatMismatches(step.mismatches).join('; ') : 'failed');
      return `${head}>\n      <failure${attributes({ message, type: item.problem ? 'conversation' : 'decision' })}>${escapeXml(lines.join('\n'))}</failure>\n    </testcase>`;
    });
    tests += result.cases.length;
    failures += result.failed;
    const properties = `    <properties>\n      <property${attributes({ name: 'policy', value: result.suite.policyFile })}/>\n      <property${attributes({ name: 'hash', value: result.suite.policy.hash })}/>\n      <property${attributes({ name: 'engine', value: run.engine })}/>\n    </properties>`;
    suites.push(
      `  <testsuite${attributes({ name: result.suite.file, tests: result.cases.length, failures: result.failed, errors: 0, skipped: 0, time: seconds(result.durationMs) })}>\n${properties}\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  for (const failure of run.failures) {
    tests++;
    errors++;
    suites.push(
      `  <testsuite${attributes({ name: failure.file, tests: 1, failures: 0, errors: 1, skipped: 0, time: '0.000' })}>\n    <testcase${attributes({ classname: failure.file, name: 'load', file: failure.file, time: '0.000' })}>\n      <error${attributes({ message: failure.message.split('\n')[0] ?? failure.code, type: failure.code })}>${escapeXml(failure.message)}</error>\n    </testcase>\n  </testsuite>`,
    );
  }
  const threshold = options.threshold;
  if (run.coverage && threshold !== undefined) {
    let below = 0;
    const cases = run.coverage.map((policy) => {
      const name = `rule coverage of ${policy.file ?? policy.policy} is at least ${formatPercent(threshold)}`;
      const head = `    <testcase${attributes({ classname: 'coverage', name, time: '0.000' })}`;
      if (policy.rulePercent >= threshold) return `${head}/>`;
      below++;
      const uncovered = policy.rules.filter((rule) => rule.held === 0).map((rule) => rule.rule);
      const message = `rule coverage is ${formatPercent(policy.rulePercent)}; never held: ${uncovered.join(', ')}`;
      return `${head}>\n      <failure${attributes({ message, type: 'coverage' })}>${escapeXml(message)}</failure>\n    </testcase>`;
    });
    tests += cases.length;
    failures += below;
    suites.push(`  <testsuite${attributes({ name: 'coverage', tests: cases.length, failures: below, errors: 0, skipped: 0, time: '0.000' })}>\n${cases.join('\n')}\n  </testsuite>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'handrail test', tests, failures, errors, time: seconds(run.durationMs) })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
