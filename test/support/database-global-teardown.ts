import { dropTestDatabases } from './database';

/** Jest global teardown: drops the schemas/databases this run created (`TEST_DB` postgres/mysql). */
export default function teardown(): void {
  if (process.env.KEEP_TEST_DATABASES) return;
  dropTestDatabases('this-run');
}
