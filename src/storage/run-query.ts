import type { DataSource, QueryResult } from 'typeorm';

/** Runs one statement and returns TypeORM's structured result (rows and affected count) on every driver. */
export async function runQuery(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<QueryResult> {
  return retryOnDeadlock(async () => {
    const runner = dataSource.createQueryRunner();
    try {
      return await runner.query(sql, parameters, true);
    } finally {
      await runner.release();
    }
  });
}

/**
 * Runs a write again when the database chose it as a deadlock victim (PostgreSQL `40P01`,
 * MySQL/MariaDB `ER_LOCK_DEADLOCK`): the statement was rolled back whole, so running it again is
 * safe. Multi-row writes (per-user merges, deletes) racing each other can meet in opposite row
 * orders; the dialects lock in a fixed order where they can, this is the safety net.
 */
export async function retryOnDeadlock<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } };
  const code = e?.driverError?.code ?? e?.code;
  const errno = e?.driverError?.errno ?? e?.errno;
  return code === '40P01' || code === 'ER_LOCK_DEADLOCK' || errno === 1213;
}
