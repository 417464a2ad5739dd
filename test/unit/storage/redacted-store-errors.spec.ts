import { BadRequestException } from '@nestjs/common';
import { SessionStorageError } from '../../../src';
import { redacted, withRedactedErrors } from '../../../src/storage/redacted-store-errors';

/**
 * Driver messages that quote a value lose it (what the live outage and log suites cannot
 * provoke on every server): MySQL's duplicate and bad-string messages, PostgreSQL's key details,
 * long random runs; the code and the operator's words stay.
 */
describe('redacted store errors', () => {
  const SECRET = 'Zk3_q9v-Lw2xYtR8mN4bC7dE1fG5hJ0kA6sD8fG2hJ4';

  it.each([
    [{ code: 'ER_DUP_ENTRY', message: `Duplicate entry '${SECRET}' for key 'PRIMARY'`, parameters: [SECRET] }, 'ER_DUP_ENTRY', /Duplicate entry '\?' for key '\?'/],
    [{ code: '23505', message: `duplicate key value violates unique constraint "pk" Key (session_handle)=(${SECRET}) already exists.` }, '23505', /\(\?\)=\(\?\)/],
    [{ code: 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', message: `Incorrect string value: '\\xF0\\x9F${SECRET}' for column 'session_data' at row 1` }, 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', /Incorrect string value/],
    [{ driverError: { code: 'SQLITE_BUSY' }, message: 'database is locked' }, 'SQLITE_BUSY', /database is locked/],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'ECONNREFUSED', /connect ECONNREFUSED/],
    [{ message: `token ${SECRET} refused [${SECRET}] {"d":"${SECRET}"}` }, undefined, /token \? refused \[\?\] \{\?\}/],
  ])('%#: keeps the code and the words, drops the values', (driverError, code, words) => {
    const error = redacted(Object.assign(new Error(String(driverError.message)), driverError), 'SessionStore.create') as SessionStorageError;
    expect(error).toBeInstanceOf(SessionStorageError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(words);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.getResponse())).not.toContain(SECRET);
    expect(error.getStatus()).toBe(503);
  });

  it("passes the library's own errors through and wraps every method of a store", async () => {
    const refusal = new BadRequestException('nope');
    const store = withRedactedErrors(
      {
        async refuse(): Promise<void> {
          throw refusal;
        },
        async fail(): Promise<void> {
          throw Object.assign(new Error(`Duplicate entry '${SECRET}'`), { code: 'ER_DUP_ENTRY' });
        },
        async ok(): Promise<number> {
          return 1;
        },
      },
      'TestStore',
    );
    await expect(store.refuse()).rejects.toBe(refusal);
    await expect(store.fail()).rejects.toMatchObject({ name: 'SessionStorageError', operation: 'TestStore.fail', code: 'ER_DUP_ENTRY' });
    await expect(store.ok()).resolves.toBe(1);
  });
});
