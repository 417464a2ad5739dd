import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * The escaped, qualified name of an entity's table for raw SQL (`"schema"."table"` on PostgreSQL
 * with a `schema` option, `` `db`.`table` `` on MySQL), so raw statements hit the same table as
 * the repository whatever the DataSource's schema or search path.
 */
export function escapedTablePath(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  return dataSource
    .getMetadata(entity)
    .tablePath.split('.')
    .map((part) => dataSource.driver.escape(part))
    .join('.');
}
