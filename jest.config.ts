import type { Config } from 'jest';

// One config for unit (*.spec.ts) and e2e (*.e2e-spec.ts) tests. Type errors are caught by
// `npm run typecheck` (tsc --noEmit), so ts-jest only transpiles: faster on 2 cores.
// `TEST_DB` (sqlite | postgres | mysql | mariadb) picks the database of the e2e apps; the global
// setup/teardown create no database, they drop the per-app schemas/databases of the run.
const config: Config = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '(test|src)/.*\\.(e2e-)?spec\\.ts$',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/database-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/database-global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};

export default config;
