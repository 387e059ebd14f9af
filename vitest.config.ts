import { availableParallelism } from 'node:os';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// Files that take longest (most of their time waiting on child processes: npm, tsc, agents that
// run as programs of their own), started first so that the short ones fill the gaps around them.
// The order only schedules; a file missing from the list runs in vitest's own order.
const longestFirst = [
  'test/install-smoke.test.ts',
  'examples/langchain-approval/test/langchain-approval.test.ts',
  'test/bench-smoke.test.ts',
  'test/adversarial/concurrent-restore.test.ts',
  'test/adversarial/parser-fuzz.test.ts',
  'packages/policy/test/format-property.test.ts',
  'test/readme.test.ts',
  'packages/policy/test/decide.test.ts',
  'packages/policy/test/regex.test.ts',
  'packages/policy/test/fail-closed.test.ts',
  'packages/policy/test/replay-cli.test.ts',
  'packages/core/test/durable/kill-and-resume.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = longestFirst.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return index < 0 ? longestFirst.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  ssr: {
    resolve: {
      conditions: ['@handrail/source', 'module', 'node', 'development|production'],
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    // Hooks start servers and browsers and remove temporary trees: on a busy machine that can take
    // longer than vitest's 10 s.
    hookTimeout: 60_000,
    // vitest runs cores − 1 files at once: one at a time on two cores. Many files wait on child
    // processes and sockets much of the time, so two at once use both cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker runs file after file with the modules it has loaded (the sources, vitest itself):
    // loading them again for every file cost more than half a second of CPU per file. Test files
    // must therefore leave no global state behind: real timers, environment variables and
    // listeners restored, servers and children closed, in afterEach/afterAll or finally.
    isolate: false,
    sequence: { sequencer: LongestFirst },
    coverage: {
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.generated.ts'],
    },
  },
});
