import { TypeOrmRoleStore, TypeOrmSessionStore, TypeOrmSigningKeyStore } from '../../src';
import { openSessionDataSource } from '../../src/storage/session-data-source';
import { testDatabaseKind, testDatabaseOptions } from '../support/database';
import { InMemoryRoleStore, InMemorySessionStore, InMemorySigningKeyStore } from '../support/memory-stores';
import { roleStoreContract, sessionStoreContract, signingKeyStoreContract, type StoreHarness } from '../support/store-contracts';

/**
 * The storage seam: the TypeORM stores (on the database `TEST_DB` names, tables made by the
 * shipped migrations) and the in-memory stores of the test support pass the same contract, so a
 * store given with the `store` / `signingKeyStore` / `roleStore` options is a drop-in.
 */
async function typeOrmStores(): Promise<StoreHarness> {
  const dataSource = await openSessionDataSource({ database: testDatabaseOptions() });
  return {
    sessions: new TypeOrmSessionStore(dataSource),
    signingKeys: new TypeOrmSigningKeyStore(dataSource),
    roles: new TypeOrmRoleStore(dataSource),
    close: () => dataSource.destroy(),
  };
}

async function memoryStores(): Promise<StoreHarness> {
  return { sessions: new InMemorySessionStore(), signingKeys: new InMemorySigningKeyStore(), roles: new InMemoryRoleStore(), close: async () => undefined };
}

describe.each([
  [`TypeORM stores on ${testDatabaseKind()}`, typeOrmStores],
  ['in-memory stores', memoryStores],
])('%s', (_name, open) => {
  sessionStoreContract(open);
  signingKeyStoreContract(open);
  roleStoreContract(open);
});
