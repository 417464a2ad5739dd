import { type ColumnType, type QueryRunner, Table, type TableOptions } from 'typeorm';

/**
 * A `Table` whose column types are normalised by the running driver exactly as `synchronize`
 * normalises an entity's (`int` is `integer` on SQLite and PostgreSQL, `int` on MySQL...), so one
 * migration class creates, on every database, the schema `synchronize` would compare equal.
 */
export function portableTable(queryRunner: QueryRunner, options: TableOptions): Table {
  const driver = queryRunner.connection.driver;
  return new Table({
    ...options,
    columns: options.columns?.map((column) => ({
      ...column,
      type: driver.normalizeType({ type: column.type as ColumnType, length: column.length }),
    })),
  });
}
