import type { Config } from 'jest';

/**
 * Specs whose assertions bound latencies (revocation reaching other instances within 100 ms p99,
 * a browser page's refresh timing). `npm test` (scripts/test.js) runs them after the others, with
 * one worker: a second worker's suite competing for a 2-core machine would be in their figures.
 */
const LATENCY_BOUND_SPECS = ['/test/e2e/multi-instance-feed\\.e2e-spec\\.ts$', '/test/browser/'];

/**
 * The ignore patterns for `TEST_PHASE`: `apart` runs only the latency-bound specs, `rest` every
 * other one; unset, everything (a plain `npx jest`).
 */
export function phaseIgnorePatterns(patterns: string[]): string[] {
  const phase = process.env.TEST_PHASE;
  if (phase === 'rest') return [...patterns, ...LATENCY_BOUND_SPECS];
  if (phase === 'apart') return [...patterns, `^(?!.*(?:${LATENCY_BOUND_SPECS.join('|')}))`];
  if (phase) throw new Error(`TEST_PHASE: unknown phase ${phase} (known: rest, apart)`);
  return patterns;
}

// One config for unit (*.spec.ts) and e2e (*.e2e-spec.ts) tests. Type errors are caught by
// `npm run typecheck` (tsc --noEmit), so ts-jest only transpiles: faster on 2 cores.
// `TEST_DB` (sqlite | postgres | mysql | mariadb) picks the database of the e2e apps; the global
// setup/teardown create no database, they drop the per-app schemas/databases of the run.
const config: Config = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '(test|src)/.*\\.(e2e-)?spec\\.ts$',
  testPathIgnorePatterns: phaseIgnorePatterns(['/node_modules/']),
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/database-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/database-global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  // Each suite's module registry stays in its worker's heap (400+ MB after a leg's share of the
  // e2e suites); tearing down such a heap took past jest-worker's 500 ms exit grace ("A worker
  // process has failed to exit gracefully", no handle left open). Recycled workers stay small.
  workerIdleMemoryLimit: '300MB',
};

export default config;
