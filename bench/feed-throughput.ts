/**
 * Revocation feed publishing throughput on PostgreSQL (issue 16, docs/scale.md): events per
 * second when every event is the feed's one statement (log row + `pg_notify`, what the
 * `postgres` transport runs) against the log row alone (what the `redis` transport writes before
 * its PUBLISH), from `--concurrency` connections at once for `--seconds`. NOTIFY takes a
 * cluster-wide lock from its commit's start to its end, so notifying commits go one at a time.
 *
 *   npm run build && node build/bench/feed-throughput.js --seconds 5 --concurrency 8
 *   Server: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a scratch schema is dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { flag, numberFlag, writeReport } from './support/cli';
import { commandLine, machineLine } from './support/machine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (config: unknown) => PgClient };
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  end(): Promise<void>;
  on(event: 'notification', listener: () => void): void;
}

const SECONDS = numberFlag('seconds', 5);
const CONCURRENCY = Math.round(numberFlag('concurrency', 8));
const OUT = flag('out') || undefined;
const URL_ = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `feed_bench_${process.pid}`;
const BODY = JSON.stringify({ k: 'r', h: [randomUUID()], u: Date.now() + 3_600_000, a: Date.now() });

async function run(label: string, sql: string, notify: boolean): Promise<string> {
  const clients = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const c = new Client({ connectionString: URL_ });
      await c.connect();
      return c;
    }),
  );
  const listener = new Client({ connectionString: URL_ });
  await listener.connect();
  let received = 0;
  listener.on('notification', () => received++);
  if (notify) await listener.query(`LISTEN ${SCHEMA}`);
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await c.query(sql, notify ? [Date.now(), BODY, SCHEMA] : [Date.now(), BODY]);
        latencies.push(performance.now() - t);
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  await Promise.all([...clients, listener].map((c) => c.end()));
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)].toFixed(1);
  const rate = latencies.length / SECONDS;
  return `| ${label} | ${Math.round(rate)} | ${p(0.5)} / ${p(0.99)} | ${notify ? `${received} of ${latencies.length}` : '-'} |`;
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: URL_ });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.query(`CREATE TABLE ${SCHEMA}.log (seq bigserial PRIMARY KEY, created_at bigint NOT NULL, body text NOT NULL)`);
  const rows: string[] = [];
  try {
    const table = `${SCHEMA}.log`;
    rows.push(
      await run(
        'log row + pg_notify (postgres transport)',
        `WITH added AS (INSERT INTO ${table} (created_at, body) VALUES ($1, $2) RETURNING seq) SELECT pg_notify($3, seq::text || ' ' || $2) FROM added`,
        true,
      ),
    );
    rows.push(await run('log row only (redis transport, before PUBLISH)', `INSERT INTO ${table} (created_at, body) VALUES ($1, $2) RETURNING seq`, false));
    const settings = await admin.query(`SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fs, version() AS v`);
    const s = settings.rows[0];
    writeReport(
      [
        `# Revocation feed publishing throughput (PostgreSQL, ${CONCURRENCY} connections, ${SECONDS} s each)`,
        '',
        machineLine(),
        commandLine('feed-throughput.js'),
        `${String(s.v).split(',')[0]}; synchronous_commit=${s.sc}, fsync=${s.fs}`,
        '',
        '| statement | events/s | latency p50 / p99 ms | notifications received |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
      ].join('\n'),
      OUT,
    );
  } finally {
    await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
    await admin.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
