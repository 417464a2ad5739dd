/**
 * Throughput race (issue 12, DESIGN.md §8): requests/s, latency and server CPU per request of one
 * `GET /hello` → `{"hello":"world"}` route, side by side in one run, on Express and Fastify, for
 * the variants of `throughput-variants.ts`: the bare route, the route in an app that imports
 * SessionModule, a no-op async guard, our AuthGuard (steady-state token, never-seen tokens,
 * cache off), a minimal `jose.jwtVerify` guard, supertokens-node's `verifySession()` in the
 * guard of its NestJS guide (against `supertokens-stub.ts`), passport-jwt (PEM, KeyObject).
 *
 *   npm run bench                  (builds, then node build/bench/throughput.js)
 *   npm run bench -- --quick       (2 short rounds: checks the race works; not figures to quote)
 *   node build/bench/throughput.js --rounds 7 --adapters express --variants bare,noop,ours --out FILE --json FILE
 *
 * Setup. Every server is its own process started under `taskset -c 0`; this process (the load
 * generator, autocannon's programmatic API in one thread, and the SuperTokens core stub) pins
 * itself to CPU 1, so server and client never share a core (`--no-pin` to skip). Our tokens are
 * minted before the servers start, in a SQLite file every server of our module opens, so all of
 * them verify with one signing key; the jose and passport servers verify the same token with
 * that key's public JWK; supertokens-node verifies a v5 token of the same payload minted with
 * the stub's key. Unguarded servers get the same `Authorization` header (same request size).
 *
 * Noise control. After a warm-up run per server, servers are measured in rounds, each running
 * every server once for `--duration` seconds in an order rotated by one every round. Figures are
 * medians across rounds; ratios are medians of per-round ratios, so slow phases of the shared
 * machine cancel out.
 *
 * Flags: --duration S (3)  --rounds N (5)  --warmup S (1)  --connections N (10)
 *        --pool N (max(12000, rounds × (duration + warmup) × 4500): no token sent twice to one server)
 *        --adapters express,fastify  --variants a,b,...  (see throughput-variants.ts; bare is required)
 *        --out FILE (the markdown report)  --json FILE (every run, for before/after comparisons)
 *        --cpu-prof [DIR] (profile the servers during the measured rounds; summaries in the report)
 *        --no-pin  --quick  --nice N (run servers and load generator at priority N, e.g. -10: only on a
 *        machine of your own, it starves everything else)
 * The report goes to stdout, progress to stderr.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flag, writeReport, hasFlag, listFlag, numberFlag, progress, QUICK } from './support/cli';
import { canPin, commandLine, machineLine, pinnedForkOptions, pinSelf, sourceVersion } from './support/machine';
import { fmtInt, median, percentile, Samples } from './support/stats';
import { ask, checkServer, nextAuthorization, poolSends, prepareRace, type RaceSetup, type Server, startServer, stopServer, stubReportLine } from './support/race-servers';
import { diffProfiles, formatDiff, formatProfileSummary, type ProfileSummary, summarizeProfile } from './throughput-profile';
import { adapterTables, headlineTable, resultKey, type ReportSetup, type Results, type RunResult, setupNotes } from './throughput-report';
import { ADAPTERS, ALL_VARIANTS, VARIANTS, type Variant } from './throughput-variants';

// ---- settings ---------------------------------------------------------------------------------

const DURATION = numberFlag('duration', QUICK ? 1 : 3);
const ROUNDS = Math.round(numberFlag('rounds', QUICK ? 2 : 5));
const WARMUP = numberFlag('warmup', QUICK ? 0.5 : 1);
const CONNECTIONS = Math.round(numberFlag('connections', 10));
/**
 * The never-seen variant's pool: no token may reach one server twice (the cache admits a token on
 * its second verification), so by default it covers every request of a server's warm-up and
 * rounds at up to 4,500 req/s (the variant runs at ~4,000 at most, on Fastify), and it exceeds
 * the verified-token cache (10,000 entries by default). Each server process has its own cache,
 * so every server gets the whole pool. Exceeding it is counted and warned about in the report.
 */
const MAX_FRESH_RPS = 4_500;
const POOL_SIZE = Math.round(numberFlag('pool', Math.max(12_000, Math.ceil(ROUNDS * (DURATION + WARMUP) * MAX_FRESH_RPS))));
const ADAPTER_LIST = listFlag('adapters', ADAPTERS, ADAPTERS);
const VARIANT_LIST = ALL_VARIANTS.filter((v) => listFlag('variants', ALL_VARIANTS, ALL_VARIANTS.filter((x) => VARIANTS[x].byDefault)).includes(v));
const OUT = flag('out') || undefined;
const JSON_OUT = flag('json') || undefined;
const CPU_PROF = flag('cpu-prof');
const PROFILE_DIR = CPU_PROF === undefined ? undefined : path.resolve(CPU_PROF || fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-prof-')));
const PIN = !hasFlag('no-pin') && canPin();
const NICE = Number(flag('nice') ?? 0);
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
/** Pause between two runs, so one server's leftover work (GC, closing sockets) does not overlap the next. */
const PAUSE_MS = 100;

if (!VARIANT_LIST.includes('bare')) throw new Error('--variants must include bare (the reference of the ratios)');

// ---- servers ---------------------------------------------------------------------------------

const LAUNCHER = pinnedForkOptions(PIN ? SERVER_CPU : undefined, NICE);

async function serverCpu(server: Server): Promise<number> {
  return (await ask<{ micros: number }>(server, { type: 'cpu' }, 'cpu')).micros;
}

// ---- one load run -----------------------------------------------------------------------------

async function loadRun(server: Server, seconds: number): Promise<RunResult> {
  const latencies = new Samples();
  const cpuBefore = await serverCpu(server);
  const started = process.hrtime.bigint();
  const pool = server.sends !== undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}/hello`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        headers: { authorization: `Bearer ${server.tokens[0]}` },
        // A pool variant gets the next token of the pool on every request.
        requests: pool
          ? [
              {
                setupRequest: (request: { headers?: Record<string, string> }) => {
                  request.headers = { ...request.headers, authorization: nextAuthorization(server) };
                  return request;
                },
              } as autocannon.Request,
            ]
          : undefined,
      },
      (error: unknown, res: autocannon.Result) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latencies.add(responseTime);
    });
  });
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = await serverCpu(server);
  const sorted = latencies.sorted();
  return {
    requests: latencies.count,
    rps: latencies.count / elapsedSeconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuMicrosPerRequest: (cpuAfter - cpuBefore) / Math.max(latencies.count, 1),
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- profiles ---------------------------------------------------------------------------------

/** Pairs whose per-request difference the report breaks down by function: [mine, baseline]. */
const PROFILE_DIFFS: [Variant, Variant][] = [
  ['ours', 'noop'],
  ['noop', 'bare'],
  ['module-only', 'bare'],
  ['ours-nocache', 'ours'],
];

function profileSection(servers: Server[], results: Results): string[] {
  const lines = [`### Server CPU profiles of the measured rounds (${PROFILE_DIR})`, ''];
  const profiled = new Map<string, { summary: ProfileSummary; cpu: number }>();
  for (const server of servers) {
    const key = resultKey(server.adapter, server.variant);
    const file = path.join(PROFILE_DIR!, `${server.adapter}-${server.variant}.cpuprofile`);
    if (!fs.existsSync(file)) continue;
    const cpu = median(results.get(key)!.map((r) => r.cpuMicrosPerRequest));
    const summary = summarizeProfile(file);
    profiled.set(key, { summary, cpu });
    lines.push('```', ...formatProfileSummary(key, summary, cpu), '```', '');
  }
  for (const adapter of ADAPTER_LIST) {
    for (const [mine, baseline] of PROFILE_DIFFS) {
      const a = profiled.get(resultKey(adapter, mine));
      const b = profiled.get(resultKey(adapter, baseline));
      if (!a || !b) continue;
      const diff = (by: 'function' | 'area') => diffProfiles(a.summary, a.cpu, b.summary, b.cpu, by);
      lines.push('```', ...formatDiff(`${adapter}: ${mine} beyond ${baseline}`, diff('area'), diff('function'), a.cpu - b.cpu), '```', '');
    }
  }
  return lines;
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date();
  const machineAtStart = machineLine();
  if (PIN) pinSelf(CLIENT_CPU);
  if (NICE) os.setPriority(NICE);
  const pinned =
    (PIN ? `servers pinned to CPU ${SERVER_CPU} (taskset), load generator and core stub to CPU ${CLIENT_CPU}` : 'no CPU pinning') +
    (NICE ? `, all at nice ${NICE}` : ', normal priority (sharing the cores with whatever else runs)');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-bench-'));
  const databaseFile = path.join(workDir, 'sessions.sqlite');
  const servers: Server[] = [];
  let race: RaceSetup | undefined;
  try {
    race = await prepareRace(databaseFile, VARIANT_LIST, POOL_SIZE);
    const { env, tokensFor, stub } = race;

    const order = ADAPTER_LIST.flatMap((a) => VARIANT_LIST.map((v) => [a, v] as const));
    progress(`starting ${order.length} servers (${pinned})`);
    // A few at a time: they all start on one core.
    for (let i = 0; i < order.length; i += 4) {
      servers.push(...(await Promise.all(order.slice(i, i + 4).map(([a, v]) => startServer(a, v, env, tokensFor(v), LAUNCHER)))));
    }
    for (const server of servers) await checkServer(server);
    const perServer = WARMUP + ROUNDS * (DURATION + PAUSE_MS / 1000);
    progress(`${servers.length} servers ready; warm-up, then ${ROUNDS} rounds (about ${Math.ceil(servers.length * perServer)} s of load)`);
    for (const server of servers) await loadRun(server, WARMUP);
    if (PROFILE_DIR) {
      for (const server of servers) {
        await ask(server, { type: 'profile-start', file: path.join(PROFILE_DIR, `${server.adapter}-${server.variant}.cpuprofile`) }, 'profile-started');
      }
    }

    const results: Results = new Map(servers.map((s) => [resultKey(s.adapter, s.variant), []]));
    for (let round = 0; round < ROUNDS; round++) {
      const shift = round % servers.length;
      const rotated = [...servers.slice(shift), ...servers.slice(0, shift)];
      const line: string[] = [];
      for (const server of rotated) {
        await sleep(PAUSE_MS);
        const run = await loadRun(server, DURATION);
        results.get(resultKey(server.adapter, server.variant))!.push(run);
        line.push(`${server.adapter}/${server.variant} ${fmtInt(run.rps)}`);
      }
      progress(`round ${round + 1}/${ROUNDS}: ${line.join(', ')}`);
    }
    await Promise.all(servers.map((server) => stopServer(server)));
    const poolUse = servers.filter((s) => s.sends).map(poolSends);
    for (const use of poolUse) {
      if (use.maxSends > 1) progress(`WARNING: ${use.server} got ${fmtInt(use.sent)} pool requests, more than the ${fmtInt(POOL_SIZE)} tokens: some were sent ${use.maxSends} times (repeats can be cache hits)`);
    }

    const setup: ReportSetup = {
      adapters: ADAPTER_LIST,
      variants: VARIANT_LIST,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      duration: DURATION,
      warmup: WARMUP,
      poolSize: POOL_SIZE,
      poolUse,
      pinned,
      profiled: PROFILE_DIR !== undefined,
    };
    const lines = [
      `## Throughput race, ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
      '',
      `Command: \`${commandLine('throughput.js')}\``,
      '',
      `${machineAtStart} at start; ${machineLine().replace(/^.*load average/, 'load average')} at end; ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s in all.`,
      '',
      ...setupNotes(setup).flatMap((note) => [note, '']),
      ...headlineTable(results, setup),
      '',
      ...adapterTables(results, setup),
    ];
    if (stub) {
      lines.push(stubReportLine(stub), '');
    }
    if (PROFILE_DIR) lines.push(...profileSection(servers, results));
    const text = lines.join('\n') + '\n';
    writeReport(text, OUT);
    if (JSON_OUT) {
      fs.mkdirSync(path.dirname(path.resolve(JSON_OUT)), { recursive: true });
      fs.writeFileSync(JSON_OUT, JSON.stringify({ startedAt, source: sourceVersion(), setup, results: Object.fromEntries(results) }, null, 1));
      progress(`runs written to ${JSON_OUT}`);
    }
  } finally {
    await Promise.all(servers.map((server) => stopServer(server)));
    await race?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
