import type { DataSource } from 'typeorm';
import { databaseFamily } from '../database-family';
import { SessionEntity } from '../entities/session.entity';
import { escapedTablePath } from '../table-path';
import { MysqlPayloadDialect } from './mysql-payload-dialect';
import type { PayloadDialect } from './payload-dialect';
import { PostgresPayloadDialect } from './postgres-payload-dialect';
import { SqlitePayloadDialect } from './sqlite-payload-dialect';

/** Picks the payload SQL for the DataSource's driver, once, at start. */
export function selectPayloadDialect(dataSource: DataSource): PayloadDialect {
  const table = escapedTablePath(dataSource, SessionEntity);
  switch (databaseFamily(dataSource.options.type)) {
    case 'sqlite':
      return new SqlitePayloadDialect(table);
    case 'postgres':
      return new PostgresPayloadDialect(table);
    case 'mysql':
      return new MysqlPayloadDialect(table);
  }
}
