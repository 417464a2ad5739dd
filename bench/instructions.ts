/**
 * Instruction counts (issue 12, DESIGN.md §8): the CPU cost of one `GET /hello` request of every
 * variant of the throughput race (`throughput-variants.ts`), on Express and Fastify, counted by
 * valgrind's callgrind as instructions executed (Ir) by the server process. Unlike requests/s or
 * CPU time, an instruction count does not depend on what else the machine runs: the same work
 * gives the same count, so ratios of a few percent can be resolved on a shared, noisy machine.
 *
 *   npm run bench:instructions                 (builds, then node build/bench/instructions.js)
 *   npm run bench:instructions -- --quick      (short windows, Express only: checks it works)
 *   node build/bench/instructions.js --adapters express --variants bare,noop,ours --requests 2000 --warmup 4000 --out FILE
 *
 * Method. Every adapter × variant is its own server process (`throughput-server.js`, started as
 * the race starts it, same tokens, same environment, same SuperTokens core stub) run under
 * `valgrind --tool=callgrind -q --instr-atstart=no`: uninstrumented (valgrind's plain JIT, ~5×
 * slower than native) while Nest starts and during `--warmup` requests, so V8's tiering is done
 * before anything is counted. Then `callgrind_control -i on` turns instrumentation on, and
 * `--windows` consecutive windows of `--requests` requests each are counted: `callgrind_control
 * --zero` before the first, `--dump` after each (a dump resets the counters, so the windows are
 * back to back); the `totals:` line of each dump file is that window's Ir. Ir per request of
 * the lowest window is the figure (a window holding a major GC runs 0.3–0.5 M Ir/req higher);
 * the report shows every window. Every thread of the process is counted (callgrind follows them all into one file), so
 * work done on libuv's thread pool (supertokens-node's and jose's signature checks) is
 * included. The load generator (node:http, keep-alive, `--connections` sockets, each sending
 * its next request when the previous answer arrived) runs in this process, outside valgrind.
 *
 * Cost ratio = reference Ir/req ÷ variant Ir/req: the throughput ratio the counts imply for
 * the server on a core of its own (instructions are not cycles: a cache miss or a slow
 * instruction costs more than one Ir, so it is a model of the CPU cost, not a measurement of
 * time; see the report's notes).
 *
 * Flags: --adapters express,fastify  --variants a,b,...  --requests N (1000 per window)
 *        --warmup N (3000)  --windows N (3; the figure is the lowest, see
 *        `figure`)  --connections N (1)  --pool N (warm-up + counted requests)
 *        --v8-flags '…' (the servers' V8 flags, default --predictable-gc-schedule: see V8_FLAGS)
 *        --repeat a,b (variants measured a second time in a new process on the first adapter, for
 *        the run-to-run spread; default ours; `none` for no repeat)  --parallel N (servers measured at once, 2; counts do not depend
 *        on it, wall time does)  --smc-check all|all-non-file|stack (valgrind's, default left)
 *        --out FILE  --quick
 * The report goes to stdout, progress to stderr.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { flag, listFlag, numberFlag, progress, QUICK, writeReport } from './support/cli';
import { commandLine, machineLine, sourceVersion } from './support/machine';
import { checkServer, type Launcher, nextAuthorization, prepareRace, type RaceSetup, type Server, startServer, stopServer, stubReportLine } from './support/race-servers';
import { fmtInt, fmtRatio, verdict } from './support/stats';
import { HEADLINES, resultKey } from './throughput-report';
import { ADAPTERS, ALL_VARIANTS, VARIANTS, type Adapter, type Variant } from './throughput-variants';

// ---- settings ---------------------------------------------------------------------------------

const REQUESTS = Math.round(numberFlag('requests', QUICK ? 200 : 1000));
const WARMUP = Math.round(numberFlag('warmup', QUICK ? 500 : 3000));
const WINDOWS = Math.round(numberFlag('windows', 3));
const CONNECTIONS = Math.round(numberFlag('connections', 1));
/** Every request of a never-seen-token server carries a token of its own (the race cycles a pool larger than the cache instead). */
const POOL_SIZE = Math.round(numberFlag('pool', WARMUP + WINDOWS * REQUESTS));
const PARALLEL = Math.round(numberFlag('parallel', 2));
const ADAPTER_LIST = listFlag('adapters', ADAPTERS, QUICK ? ['express'] : ADAPTERS);
const VARIANT_LIST = ALL_VARIANTS.filter((v) => listFlag('variants', ALL_VARIANTS, ALL_VARIANTS.filter((x) => VARIANTS[x].byDefault)).includes(v));
// `--repeat none` measures no variant twice.
const REPEAT_LIST = flag('repeat') === 'none' ? [] : listFlag('repeat', ALL_VARIANTS, ['ours']).filter((v) => VARIANT_LIST.includes(v));
const SMC_CHECK = flag('smc-check') || undefined;
/**
 * V8 flags of the servers. `--predictable-gc-schedule` fixes V8's heap growing, idle-time GC and
 * memory reducer, which otherwise decide from wall time: under valgrind a server is ~50× slower,
 * so its allocation rate per millisecond looks idle and the memory reducer runs full GCs every
 * few seconds, which put 0.1–0.5 M Ir/req into some windows and not others. `--v8-flags ''` for none.
 */
const V8_FLAGS = (flag('v8-flags') ?? '--predictable-gc-schedule').split(' ').filter(Boolean);
const OUT = flag('out') || undefined;

if (!VARIANT_LIST.includes('bare')) throw new Error('--variants must include bare (the reference of the ratios)');

// ---- callgrind ---------------------------------------------------------------------------------

function valgrindLauncher(outFile: string): Launcher {
  return {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      '-q',
      '--instr-atstart=no',
      `--callgrind-out-file=${outFile}`,
      ...(SMC_CHECK ? [`--smc-check=${SMC_CHECK}`] : []),
      process.execPath,
      ...V8_FLAGS,
    ],
  };
}

function callgrindControl(pid: number, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore', timeout: 120_000 });
}

/** The `totals:` (else `summary:`) Ir of a callgrind dump file. */
function totalIr(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  const line = /^totals:\s*(\d+)/m.exec(text) ?? /^summary:\s*(\d+)/m.exec(text);
  if (!line) throw new Error(`no totals in ${file}`);
  return Number(line[1]);
}

/** Dump files of `outFile` (`outFile.1`, `outFile.2`, … and per-thread `-NN` suffixes). */
function dumpFiles(outFile: string): string[] {
  const dir = path.dirname(outFile);
  const base = path.basename(outFile);
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${base}.`)).map((f) => path.join(dir, f));
}

/** Dumps the counters (which resets them) and returns the Ir of the new dump file(s). */
function dumpIr(pid: number, outFile: string, label: string): number {
  const before = new Set(dumpFiles(outFile));
  callgrindControl(pid, '--dump', label);
  const added = dumpFiles(outFile).filter((f) => !before.has(f));
  if (added.length === 0) throw new Error(`callgrind wrote no dump for ${label}`);
  return added.reduce((sum, f) => sum + totalIr(f), 0);
}

// ---- load -------------------------------------------------------------------------------------

/** Requests resent after a reset socket (the server, slowed down by valgrind, closed an idle keep-alive socket as the request arrived). */
let resent = 0;

/** Sends `count` requests over `CONNECTIONS` keep-alive sockets; returns how many did not answer 200. */
async function sendRequests(server: Server, agent: http.Agent, count: number): Promise<number> {
  let sent = 0;
  let failures = 0;
  const one = (authorization: string) =>
    new Promise<void>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port: server.port, path: '/hello', agent, headers: { authorization } }, (response) => {
        if (response.statusCode !== 200) failures++;
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
    });
  const worker = async () => {
    while (sent < count) {
      sent++;
      const authorization = nextAuthorization(server);
      for (let attempt = 1; ; attempt++) {
        try {
          await one(authorization);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (attempt >= 3 || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw error;
          resent++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, count) }, worker));
  return failures;
}

// ---- one measurement ----------------------------------------------------------------------------

interface Measurement {
  adapter: Adapter;
  variant: Variant;
  /** 1 for the first process of this adapter × variant, 2 for the `--repeat` one. */
  run: number;
  /** Ir per request of each window, in order. */
  windows: number[];
  failures: number;
  seconds: number;
}

async function measure(adapter: Adapter, variant: Variant, run: number, race: RaceSetup, workDir: string): Promise<Measurement> {
  const started = Date.now();
  const outFile = path.join(workDir, `callgrind.${adapter}-${variant}-${run}.out`);
  const server = await startServer(adapter, variant, race.env, race.tokensFor(variant), valgrindLauncher(outFile));
  const pid = server.child.pid!;
  live.add(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const name = `${adapter}/${variant}${run > 1 ? ` (run ${run})` : ''}`;
  try {
    await checkServer(server);
    progress(`  ${name}: up after ${Math.round((Date.now() - started) / 1000)} s, ${fmtInt(WARMUP)} warm-up requests`);
    let failures = await sendRequests(server, agent, WARMUP);
    callgrindControl(pid, '--instr=on');
    callgrindControl(pid, '--zero');
    const windows: number[] = [];
    for (let w = 1; w <= WINDOWS; w++) {
      failures += await sendRequests(server, agent, REQUESTS);
      windows.push(dumpIr(pid, outFile, `window-${w}`) / REQUESTS);
    }
    const seconds = (Date.now() - started) / 1000;
    progress(`  ${name}: ${windows.map((ir) => fmtInt(ir)).join(', ')} Ir/req (${Math.round(seconds)} s)`);
    return { adapter, variant, run, windows, failures, seconds };
  } finally {
    agent.destroy();
    // Nothing left to measure: no graceful close (minutes under valgrind).
    await stopServer(server, 1_000);
    live.delete(server);
  }
}

/** Servers running now: killed if this process is interrupted (a server busy under valgrind can miss the IPC disconnect). */
const live = new Set<Server>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const server of live) server.child.kill('SIGKILL');
    process.exit(130);
  });
}

/** Runs `jobs` with at most `PARALLEL` at a time, results in job order. */
async function runAll<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, jobs.length) }, lane));
  return results;
}

// ---- report -----------------------------------------------------------------------------------

/**
 * The figure of a server: its lowest window. A major GC costs 150–250 M Ir here and comes at a
 * request count that depends on what a variant allocates, so it lands in some 500-request windows
 * and not others; the lowest window is the steady cost without one (minor GCs included), the mean
 * over windows long enough to hold several major GCs would be the cost with them amortised.
 */
const figure = (m: Measurement) => Math.min(...m.windows);
const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(2)}%`;
/** Largest minus smallest, relative to the smallest. */
const spread = (values: number[]) => pct(Math.max(...values), Math.min(...values));

function report(measurements: Measurement[], startedAt: Date, machineAtStart: string, stubLine: string | undefined): string {
  const first = new Map(measurements.filter((m) => m.run === 1).map((m) => [resultKey(m.adapter, m.variant), m]));
  const irOf = (adapter: Adapter, variant: Variant) => {
    const m = first.get(resultKey(adapter, variant));
    return m ? figure(m) : undefined;
  };
  const costRatio = (adapter: Adapter, mine: Variant, reference: Variant) => {
    const a = irOf(adapter, mine);
    const b = irOf(adapter, reference);
    return a === undefined || b === undefined ? undefined : b / a;
  };
  const failures = measurements.reduce((n, m) => n + m.failures, 0);
  const lines = [
    `## Instruction counts (callgrind), ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
    '',
    `Command: \`${commandLine('instructions.js')}\``,
    '',
    `${machineAtStart} at start; ${machineLine().replace(/^.*load average/, 'load average')} at end; ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s in all; ` +
      `${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}.`,
    '',
    `One server process per adapter × variant under \`valgrind --tool=callgrind --instr-atstart=no${SMC_CHECK ? ` --smc-check=${SMC_CHECK}` : ''} node ${V8_FLAGS.join(' ')}\`; ` +
      `${fmtInt(WARMUP)} warm-up requests uninstrumented, then ${WINDOWS} consecutive counted windows of ${fmtInt(REQUESTS)} requests each ` +
      `(\`callgrind_control --instr=on\`, \`--zero\`, \`--dump\` after each window); ${CONNECTIONS} keep-alive connection${CONNECTIONS > 1 ? 's' : ''}, ` +
      'each sending its next request when the previous answer arrived, from a load generator outside valgrind. Ir = instructions executed by every thread of the server process ' +
      "(libuv's thread pool included), ÷ requests of the window. The figure of a variant is its lowest window: a major GC (150–250 M Ir) lands in some windows and not others, " +
      'at a request count that depends on what the variant allocates (see bench/RESULTS.md); the window columns show every window.',
    '',
    `Never-seen tokens: a pool of ${fmtInt(POOL_SIZE)} distinct valid tokens sent in turn (${fmtInt(WARMUP + WINDOWS * REQUESTS)} requests per server${POOL_SIZE >= WARMUP + WINDOWS * REQUESTS ? ', so no token is sent twice' : ''}); ` +
      `the verified-token cache (10,000 entries) ${WARMUP + WINDOWS * REQUESTS > 10_000 ? 'is full and evicting during the windows' : 'is still filling, not yet evicting as in the race'}.`,
    '',
    (failures > 0 ? `**${failures} requests did not answer 200.**` : 'Every request answered 200.') +
      (resent > 0 ? ` ${resent} requests were sent again after a reset keep-alive socket (the server had closed it as idle; the request never reached the app).` : ''),
    '',
    '| Ratio (instructions per request) | Express cost ratio | Fastify cost ratio | Issue 12 target |',
    '| --- | ---: | ---: | --- |',
  ];
  for (const h of HEADLINES) {
    if (!VARIANT_LIST.includes(h.mine) || !VARIANT_LIST.includes(h.reference)) continue;
    const cell = (adapter: Adapter) => {
      if (!ADAPTER_LIST.includes(adapter)) return '–';
      const value = costRatio(adapter, h.mine, h.reference);
      return `${fmtRatio(value)}${h.target?.adapters.includes(adapter) ? ` ${verdict(value, h.target.min)}` : ''}`;
    };
    const target = h.target ? `≥ ${h.target.min}× (${h.target.adapters.length === 2 ? 'both adapters' : h.target.adapters.join(', ')})` : 'information';
    lines.push(`| ${h.label} | ${cell('express')} | ${cell('fastify')} | ${target} |`);
  }
  lines.push(
    '',
    'Cost ratio = reference Ir/req ÷ this Ir/req: the throughput ratio the instruction counts imply for a server on a core of its own. ' +
      'Instructions are not cycles (cache misses, divisions and the kernel work of a syscall weigh more than one Ir; the kernel side of socket I/O is not counted at all, ' +
      'only the user-space instructions around it), so this is a load-independent model of the CPU cost, to set beside the race\'s req/s and CPU µs/req.',
    '',
  );
  for (const adapter of ADAPTER_LIST) {
    lines.push(`### ${adapter === 'express' ? 'Express' : 'Fastify'}`, '');
    const windowHeads = Array.from({ length: WINDOWS }, (_, i) => `window ${i + 1} Ir/req`);
    lines.push(`| Variant | Ir/req | vs bare | cost ratio (bare ÷ this) | ${windowHeads.join(' | ')} | spread of the last two windows |`);
    lines.push(`| --- | ---: | ---: | ---: | ${windowHeads.map(() => '---:').join(' | ')} | ---: |`);
    const bare = irOf(adapter, 'bare')!;
    for (const variant of VARIANT_LIST) {
      const m = first.get(resultKey(adapter, variant))!;
      const ir = figure(m);
      lines.push(
        `| ${VARIANTS[variant].label}${m.failures ? ` (**${m.failures} failed requests**)` : ''} | ${fmtInt(ir)} | ${variant === 'bare' ? '–' : `${ir >= bare ? '+' : ''}${fmtInt(ir - bare)}`} | ` +
          `${fmtRatio(bare / ir)} | ${m.windows.map(fmtInt).join(' | ')} | ${spread(m.windows.slice(-2))} |`,
      );
    }
    lines.push('');
  }
  const repeats = measurements.filter((m) => m.run > 1);
  if (repeats.length > 0) {
    lines.push(
      '### Repeatability: the same variant in a second server process',
      '',
      '| Server | run 1 Ir/req (lowest window) | run 2 Ir/req (lowest window) | spread between runs | spread over the last two windows of both runs |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const m of repeats) {
      const one = first.get(resultKey(m.adapter, m.variant))!;
      lines.push(
        `| ${m.adapter}/${m.variant} | ${fmtInt(figure(one))} | ${fmtInt(figure(m))} | ${spread([figure(one), figure(m)])} | ${spread([...one.windows.slice(-2), ...m.windows.slice(-2)])} |`,
      );
    }
    lines.push('');
  }
  if (stubLine) lines.push(stubLine, '');
  lines.push(`Wall time per server (start, warm-up, counted windows, stop): ${measurements.map((m) => `${m.adapter}/${m.variant}${m.run > 1 ? '#2' : ''} ${Math.round(m.seconds)} s`).join(', ')}.`, '');
  return lines.join('\n') + '\n';
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  const startedAt = new Date();
  const machineAtStart = machineLine();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-instructions-'));
  let race: RaceSetup | undefined;
  try {
    race = await prepareRace(path.join(workDir, 'sessions.sqlite'), VARIANT_LIST, POOL_SIZE);
    const setup = race;
    const jobs = [
      ...ADAPTER_LIST.flatMap((a) => VARIANT_LIST.map((v) => () => measure(a, v, 1, setup, workDir))),
      // The run-to-run check needs one adapter only (each server costs minutes under valgrind).
      ...REPEAT_LIST.map((v) => () => measure(ADAPTER_LIST[0], v, 2, setup, workDir)),
    ];
    progress(
      `${jobs.length} servers under callgrind, ${PARALLEL} at a time: ${fmtInt(WARMUP)} warm-up + ${WINDOWS} × ${fmtInt(REQUESTS)} counted requests each (callgrind files in ${workDir})`,
    );
    const measurements = await runAll(jobs);
    writeReport(report(measurements, startedAt, machineAtStart, setup.stub ? stubReportLine(setup.stub) : undefined), OUT);
  } finally {
    await race?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
