import type { DataSource, QueryResult } from 'typeorm';

/** Runs one statement and returns TypeORM's structured result (rows and affected count) on every driver. */
export async function runQuery(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<QueryResult> {
  const runner = dataSource.createQueryRunner();
  try {
    return await runner.query(sql, parameters, true);
  } finally {
    await runner.release();
  }
}
