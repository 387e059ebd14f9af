import { defineConfig } from 'vitest/config';

export default defineConfig({
  ssr: {
    resolve: {
      conditions: ['@handrail/source', 'module', 'node', 'development|production'],
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    coverage: {
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.generated.ts'],
    },
  },
});
