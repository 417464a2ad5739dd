import { dropTestDatabases, newTestRunId } from './database';

/**
 * Jest global setup: one run id for every worker (so the teardown drops exactly this run's
 * schemas/databases), and leftovers of runs that died long ago are removed.
 */
export default function setup(): void {
  process.env.NEST_SESSION_TEST_RUN ??= newTestRunId();
  dropTestDatabases('stale');
}
