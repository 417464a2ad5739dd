/**
 * Throughput benchmark (DESIGN.md §8): requests/s and latency of one `GET /hello` route returning
 * `{"hello":"world"}`, side by side in one run, on Express and Fastify:
 *
 *   bare          no guard (the reference of the first ratio)
 *   ours          `@UseGuards(AuthGuard)`, header-mode access token, verified-token cache on (default)
 *   ours-nocache  the same with `verifiedTokenCacheSize: 0` (every request verifies the RS256 signature)
 *   ours-claim    cache on + a global `BooleanClaim` validator that passes (the claim is in the token)
 *   passport      `@nestjs/passport` `AuthGuard('jwt')` + passport-jwt, RS256, `secretOrKey` = public PEM
 *                 (the reference of the second ratio)
 *   module-only   (not by default) the bare route in an app that imports SessionModule: its
 *                 request middleware, no guard
 *   passport-keyobject  (not by default) passport-jwt with `secretOrKey` an imported KeyObject:
 *                 jsonwebtoken otherwise parses the PEM on every request
 *
 *   npm run bench                          (builds, then node dist/bench/throughput.js)
 *   node dist/bench/throughput.js --duration 3 --rounds 5 --out bench/results/throughput.txt
 *
 * Setup. Each adapter × variant is its own server process (`throughput-server.ts`), started once
 * and idle while the others are measured; this process is the load generator (autocannon's
 * programmatic API, one thread). On 2 cores that gives the server one core and the client the
 * other: an in-process server would share one event loop with autocannon, so every variant would
 * also pay the client's per-request work and the ratios would shrink towards 1; separate server
 * processes also keep heaps, JIT state and GC of the variants apart. Every server gets the same
 * request (an `Authorization: Bearer` header of the same size, also on the bare route): each
 * `ours*` server gets a token of its own session (same payload shape, the `bench-flag` claim in
 * all of them); the bare and passport servers get the token of the first `ours*` server (Express
 * unless `--adapters fastify`), and passport verifies it with that server's public key (RSA 2048,
 * as jose generates it), so passport and our guard check the same bytes.
 *
 * Noise control. After one warm-up run per server, the servers are measured in rounds, each round
 * running every server once for `--duration` seconds, in an order rotated by one every round.
 * Figures are medians across rounds; ratios are medians of the per-round ratios (a variant against
 * the bare / passport server of the same adapter in the same round), so slow phases of the shared
 * machine cancel out. Server CPU time per request (`process.cpuUsage()` of the server around each
 * run) is reported too: it hardly moves when another process steals the core, unlike requests/s.
 *
 * Flags: --duration S (3)  --rounds N (5)  --warmup S (1)  --connections N (10)
 *        --adapters express,fastify  --variants bare,ours,ours-nocache,ours-claim,passport[,module-only,passport-keyobject]
 *        --out FILE (also write the report there)  --cpu-prof [DIR] (profile the servers during the
 *        measured rounds, save DIR/<adapter>-<variant>.cpuprofile and print where their time goes;
 *        profiling slows them, so do not compare such a run with a plain one)
 * The report goes to stdout, progress to stderr.
 */
import autocannon from 'autocannon';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatProfileSummary, summarizeProfile } from './throughput-profile';
import { ADAPTERS, VARIANTS, type Adapter, type Variant } from './throughput-variants';

// ---- settings ---------------------------------------------------------------------------------

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  return value === undefined || value.startsWith('--') ? '' : value;
}
function numberFlag(name: string, fallback: number): number {
  const value = flag(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, not "${value}"`);
  return n;
}
function listFlag<T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] {
  const value = flag(name);
  if (value === undefined) return fallback;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean) as T[];
  for (const item of list) if (!allowed.includes(item)) throw new Error(`--${name}: unknown "${item}" (known: ${allowed.join(', ')})`);
  return list;
}

const DURATION = numberFlag('duration', 3);
const ROUNDS = Math.round(numberFlag('rounds', 5));
const WARMUP = numberFlag('warmup', 1);
const CONNECTIONS = Math.round(numberFlag('connections', 10));
const ALL_VARIANTS = Object.keys(VARIANTS) as Variant[];
const ADAPTER_LIST = listFlag('adapters', ADAPTERS, [...ADAPTERS]);
const VARIANT_LIST = ALL_VARIANTS.filter((v) =>
  listFlag('variants', ALL_VARIANTS, ALL_VARIANTS.filter((x) => VARIANTS[x].byDefault)).includes(v),
);
const OUT = flag('out') || undefined;
const CPU_PROF = flag('cpu-prof');
const PROFILE_DIR =
  CPU_PROF === undefined ? undefined : path.resolve(CPU_PROF || fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-bench-prof-')));
/** Pause between two runs, so one server's leftover work (GC, closing sockets) does not overlap the next run. */
const PAUSE_MS = 100;

if (!VARIANT_LIST.includes('bare')) throw new Error('--variants must include bare (the reference of the ratios)');

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---- servers ----------------------------------------------------------------------------------

interface Server {
  adapter: Adapter;
  variant: Variant;
  child: ChildProcess;
  port: number;
  token?: string;
  jwks?: { keys: JsonWebKey[] };
  /** The `Authorization` header every request to this server carries. */
  authorization?: string;
}

function startServer(adapter: Adapter, variant: Variant, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = fork(path.join(__dirname, 'throughput-server.js'), [adapter, variant], {
    env: { ...process.env, ...env },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server ${adapter}/${variant} exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: { type: string; port: number; token?: string; jwks?: { keys: JsonWebKey[] } }) => {
      child.off('exit', onExit);
      resolve({ adapter, variant, child, port: message.port, token: message.token, jwks: message.jwks });
    });
  });
}

/** Sends a message to a server and waits for its answer of type `answer`. */
function ask<T>(server: Server, message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      server.child.off('message', onMessage);
      resolve(reply as T);
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

/** Server CPU time (user + system, µs) so far. */
async function serverCpu(server: Server): Promise<number> {
  return (await ask<{ micros: number }>(server, { type: 'cpu' }, 'cpu')).micros;
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.send({ type: 'stop' });
  });
}

function pemOf(jwks: { keys: JsonWebKey[] }): string {
  return createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** The route answers 200 with the token (and 401 without it when guarded). */
async function checkServer(server: Server): Promise<void> {
  const url = `http://127.0.0.1:${server.port}/hello`;
  const ok = await fetch(url, { headers: { authorization: server.authorization! } });
  const body = await ok.text();
  if (ok.status !== 200 || body !== '{"hello":"world"}') throw new Error(`${server.adapter}/${server.variant}: expected 200 {"hello":"world"}, got ${ok.status} ${body}`);
  if (VARIANTS[server.variant].guarded) {
    const refused = await fetch(url);
    await refused.arrayBuffer();
    if (refused.status !== 401) throw new Error(`${server.adapter}/${server.variant}: expected 401 without a token, got ${refused.status}`);
  }
}

// ---- one load run -----------------------------------------------------------------------------

interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  failures: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function loadRun(server: Server, seconds: number): Promise<RunResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const cpuBefore = await serverCpu(server);
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}/hello`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        headers: { authorization: server.authorization! },
      },
      (error: unknown, res: autocannon.Result) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== 200) return;
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = responseTime;
    });
  });
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = await serverCpu(server);
  const sorted = latencies.subarray(0, count).sort();
  return {
    rps: count / elapsedSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuMicrosPerRequest: (cpuAfter - cpuBefore) / Math.max(count, 1),
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- statistics and report --------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const key = (adapter: Adapter, variant: Variant) => `${adapter}/${variant}`;

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
function fmtMs(n: number): string {
  return n.toFixed(2);
}
function fmtRatio(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? '–' : `${n.toFixed(2)}×`;
}
function fmtSigned(n: number): string {
  const r = Math.round(n);
  return r > 0 ? `+${r}` : `${r}`;
}

/** `commit abc1234` (+ `, uncommitted changes in src/`), or nothing outside a git checkout. */
function sourceVersion(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git(['rev-parse', '--short', 'HEAD']);
    return `commit ${commit}${git(['--no-optional-locks', 'status', '--porcelain', '--', 'src']) ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

function report(results: Map<string, RunResult[]>, meta: { startedAt: Date; load: [number[], number[]]; seconds: number }): string[] {
  const lines: string[] = [];
  const cpus = os.cpus();
  lines.push(`# Throughput: GET /hello → {"hello":"world"}, ${meta.startedAt.toISOString()} (${sourceVersion()})`);
  lines.push('');
  lines.push(`Command: node dist/bench/throughput.js ${process.argv.slice(2).join(' ')}`.trimEnd());
  lines.push('');
  lines.push(
    `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}; load average ${meta.load[0].map((n) => n.toFixed(2)).join(' ')} at start, ` +
      `${meta.load[1].map((n) => n.toFixed(2)).join(' ')} at end; ${Math.round(meta.seconds)} s in all.`,
  );
  lines.push(
    `autocannon, ${CONNECTIONS} connections, no pipelining, ${ROUNDS} rounds × ${DURATION} s per server (after ${WARMUP} s warm-up), ` +
      `servers in their own processes, order rotated every round.${PROFILE_DIR ? ' SERVERS PROFILED (--cpu-prof): slower than a plain run.' : ''}`,
  );
  lines.push('');
  for (const adapter of ADAPTER_LIST) {
    lines.push(`## ${adapter === 'express' ? 'Express' : 'Fastify'}`);
    lines.push('');
    lines.push('| Variant | req/s | req/s range | p50 ms | p99 ms | server CPU µs/req | CPU µs/req vs bare | req/s ÷ bare | req/s ÷ passport-jwt |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const bare = results.get(key(adapter, 'bare'))!;
    const passport = results.get(key(adapter, 'passport'));
    for (const variant of VARIANT_LIST) {
      const runs = results.get(key(adapter, variant))!;
      const rps = runs.map((r) => r.rps);
      const perRound = (reference: RunResult[] | undefined, f: (mine: RunResult, ref: RunResult) => number) =>
        reference ? median(runs.map((r, i) => f(r, reference[i]))) : undefined;
      const failures = runs.reduce((n, r) => n + r.failures, 0);
      lines.push(
        `| ${VARIANTS[variant].label}${failures ? ` (**${failures} failed requests**)` : ''} | ${fmtInt(median(rps))} | ${fmtInt(Math.min(...rps))}–${fmtInt(Math.max(...rps))} | ` +
          `${fmtMs(median(runs.map((r) => r.p50)))} | ${fmtMs(median(runs.map((r) => r.p99)))} | ${median(runs.map((r) => r.cpuMicrosPerRequest)).toFixed(0)} | ` +
          `${variant === 'bare' ? '–' : fmtSigned(perRound(bare, (m, b) => m.cpuMicrosPerRequest - b.cpuMicrosPerRequest)!)} | ` +
          `${fmtRatio(perRound(bare, (m, b) => m.rps / b.rps))} | ${fmtRatio(perRound(passport, (m, p) => m.rps / p.rps))} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    'req/s, p50, p99 and CPU µs/req: medians across rounds. Ratios and "vs bare": medians of the per-round comparisons with the same adapter. ' +
      'Latency is measured under saturation (the server is at 100% of one core with ' +
      `${CONNECTIONS} requests in flight), so it is mostly queueing: p50 ≈ connections ÷ req/s. The cache-on rows reuse one token (every request ` +
      'after the first is a cache hit); real traffic sits between the cache-on and cache-off rows.',
  );
  return lines;
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const servers: Server[] = [];
  const perServer = WARMUP + ROUNDS * DURATION + (ROUNDS + 1) * (PAUSE_MS / 1000);
  progress(
    `throughput bench: ${ADAPTER_LIST.join(', ')} × ${VARIANT_LIST.join(', ')}; about ${Math.ceil(ADAPTER_LIST.length * VARIANT_LIST.length * perServer)} s of load`,
  );
  try {
    // Servers that mint a token first: the passport servers verify the first one's token with its key.
    const minting = ADAPTER_LIST.flatMap((a) => VARIANT_LIST.filter((v) => VARIANTS[v].mintsToken).map((v) => [a, v] as const));
    servers.push(...(await Promise.all(minting.map(([a, v]) => startServer(a, v)))));
    let reference = servers.find((s) => s.token);
    if (!reference) {
      // No `ours*` variant asked for: start one only to get a token and its key.
      reference = await startServer(ADAPTER_LIST[0], 'ours');
      await stopServer(reference);
    }
    const others = ADAPTER_LIST.flatMap((a) => VARIANT_LIST.filter((v) => !VARIANTS[v].mintsToken).map((v) => [a, v] as const));
    const env = { BENCH_PUBLIC_KEY_PEM: pemOf(reference.jwks!) };
    servers.push(...(await Promise.all(others.map(([a, v]) => startServer(a, v, env)))));
    for (const server of servers) {
      server.authorization = `Bearer ${server.token ?? reference.token}`;
      await checkServer(server);
    }
    const byKey = new Map(servers.map((s) => [key(s.adapter, s.variant), s]));
    // Report order: adapter by adapter, variant by variant; measuring order rotates from it.
    const order = ADAPTER_LIST.flatMap((a) => VARIANT_LIST.map((v) => byKey.get(key(a, v))!));
    progress(`${servers.length} servers ready; warming up (${WARMUP} s each)`);
    for (const server of order) await loadRun(server, WARMUP);
    if (PROFILE_DIR) {
      fs.mkdirSync(PROFILE_DIR, { recursive: true });
      for (const server of order) {
        fs.rmSync(path.join(PROFILE_DIR, `${server.adapter}-${server.variant}.cpuprofile`), { force: true });
        await ask(server, { type: 'profile-start', dir: PROFILE_DIR }, 'profile-started');
      }
    }

    const results = new Map<string, RunResult[]>(order.map((s) => [key(s.adapter, s.variant), []]));
    for (let round = 0; round < ROUNDS; round++) {
      const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
      const line: string[] = [];
      for (const server of rotated) {
        await sleep(PAUSE_MS);
        const run = await loadRun(server, DURATION);
        results.get(key(server.adapter, server.variant))!.push(run);
        line.push(`${server.adapter}/${server.variant} ${fmtInt(run.rps)}`);
      }
      progress(`round ${round + 1}/${ROUNDS}: ${line.join(', ')}`);
    }
    const lines = report(results, { startedAt, load: [loadAtStart, os.loadavg()], seconds: (Date.now() - startedAt.getTime()) / 1000 });

    await Promise.all(servers.map(stopServer));
    if (PROFILE_DIR) {
      lines.push('', `## Server CPU profiles of the measured rounds (${PROFILE_DIR})`, '');
      for (const server of order) {
        const file = path.join(PROFILE_DIR, `${server.adapter}-${server.variant}.cpuprofile`);
        if (!fs.existsSync(file)) continue;
        const cpu = median(results.get(key(server.adapter, server.variant))!.map((r) => r.cpuMicrosPerRequest));
        lines.push(...formatProfileSummary(`${server.adapter}/${server.variant}`, summarizeProfile(file), cpu), '');
      }
    }
    const text = lines.join('\n') + '\n';
    process.stdout.write(text);
    if (OUT) {
      fs.mkdirSync(path.dirname(OUT), { recursive: true });
      fs.writeFileSync(OUT, text);
      progress(`report written to ${OUT}`);
    }
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
