// `nest-session/testing`: helpers for an application's own tests. Not part of the main entry, so
// production code never loads it.
export { TestClock } from './test-clock';
export { SessionTestingModule, testSessionOptions } from './session-testing.module';
export {
  createTestSession,
  type TestSession,
  type TestSessionInput,
  type TestClaimValue,
  type TestHeaders,
  type ProviderSource,
} from './create-test-session';
export type { Clock } from '../clock';
