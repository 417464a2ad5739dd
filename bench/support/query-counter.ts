import type { Logger } from 'typeorm';

/**
 * A TypeORM logger that counts the statements a DataSource sends (each one a round trip),
 * transaction control (`BEGIN`, `COMMIT`...) included, so the write bench can report
 * statements per operation. Pass it as `database.logger` with `logging: false`: TypeORM calls
 * `logQuery` of a custom logger for every statement either way.
 */
export class StatementCounter implements Logger {
  count = 0;
  /** The statements of the last `record()` window, for `--show-sql`. */
  readonly recent: string[] = [];
  private recording = false;

  logQuery(query: string): void {
    this.count++;
    if (this.recording) this.recent.push(query.replace(/\s+/g, ' ').slice(0, 160));
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  /** Statements sent while `work` runs (and their text, in `recent`). */
  async record(work: () => Promise<unknown>): Promise<number> {
    this.recent.length = 0;
    this.recording = true;
    const before = this.count;
    try {
      await work();
    } finally {
      this.recording = false;
    }
    return this.count - before;
  }
}
