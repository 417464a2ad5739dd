import type { Config } from 'jest';
import base, { phaseIgnorePatterns } from './jest.config';

// The Nest 12 + TypeORM 1 leg (`TEST_NEST=12 npm test`, or `npx jest -c jest.nest12.config.ts`):
// the same suites, with @nestjs/*, typeorm, rxjs and reflect-metadata taken from test/nest12/
// (`npm install --prefix test/nest12`) by test/nest12/resolver.js, and Nest 12's ESM turned into
// CommonJS by test/nest12/esm-to-cjs.transform.js so jest's loader can run it.
const config: Config = {
  ...base,
  resolver: '<rootDir>/test/nest12/resolver.js',
  transform: {
    ...base.transform,
    '^.+/test/nest12/node_modules/.+\\.m?js$': '<rootDir>/test/nest12/esm-to-cjs.transform.js',
  },
  transformIgnorePatterns: ['^(?!.*/test/nest12/node_modules/).*/node_modules/'],
  setupFiles: ['<rootDir>/test/nest12/assert-versions.js'],
  testPathIgnorePatterns: phaseIgnorePatterns(['/node_modules/', '/test/browser/']),
};

export default config;
