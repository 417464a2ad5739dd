import type { Logger, QueryRunner } from 'typeorm';

/** A TypeORM logger that counts statements, so tests can assert database round trips. */
export class QueryCounter implements Logger {
  readonly queries: string[] = [];

  get count(): number {
    return this.queries.length;
  }

  reset(): void {
    this.queries.length = 0;
  }

  logQuery(query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    this.queries.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
