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
 * Split by function (`support/callgrind-split.ts`). The totals of a window mix the requests'
 * own work with V8's optimising compilers (19% of a bare Fastify window after 3,000 warm-up
 * requests) and with major GCs that land in some windows and not others. Every dump is therefore
 * also read function by function (self Ir of each `fn=` record) and split into: mutator (JIT
 * code, interpreter, builtins, V8 runtime, Node, libuv, OpenSSL), GC minor (scavenges), GC major
 * (mark-compact, incremental/concurrent marking, sweeping), GC shared (GC entry and bookkeeping
 * both kinds run) and compiler (TurboFan/Turboshaft, Maglev, Sparkplug, lazy parse and bytecode
 * generation, deopt, tiering); libc, `v8::base::`, `std::` and V8's generic heap helpers go by
 * their callers. The report gains, per server, "mutator + minor GC Ir/req" (mutator + GC minor +
 * GC shared, mean of the windows: compile work amortises to ~0 and major-GC work is bounded by
 * the heap in a long run) with its cost ratio, the mean major-GC and compiler Ir/req beside it
 * (a variant that fills the old generation per request makes mark-compacts recur: read both), a
 * table of every window's split with the number of scavenges and mark-compacts in it, and a
 * second figure in each headline cell (total-based · mutator-based ratio). The top functions of each category of each server go to
 * `--functions FILE` (default: the `--out` file with `.functions.md`; stderr without `--out`), to
 * check the classification.
 * JIT code: callgrind names it by basic-block address; with `--jit-names` the servers run with
 * node's `--perf-basic-prof` and the addresses are named by JS function from /tmp/perf-<pid>.map.
 * `--diff a,b` (implies --jit-names) adds, per adapter, the functions whose mutator + minor GC
 * Ir/req differ most between variants a and b. `--keep DIR` keeps the dumps and perf maps
 * (`node build/bench/support/callgrind-split.js DUMP --perf-map MAP` splits one again).
 *
 * Flags: --adapters express,fastify  --variants a,b,...  --requests N (1000 per window)
 *        --warmup N (3000)  --windows N (3; the figure is the lowest, see
 *        `figure`)  --connections N (1)  --pool N (warm-up + counted requests)
 *        --v8-flags '…' (the servers' V8 flags, default --predictable-gc-schedule: see V8_FLAGS)
 *        --repeat a,b (variants measured a second time in a new process on the first adapter, for
 *        the run-to-run spread; default ours; `none` for no repeat)  --parallel N (servers measured at once, 2; counts do not depend
 *        on it, wall time does)  --smc-check all|all-non-file|stack (valgrind's, default left)
 *        --out FILE  --quick  --jit-names  --diff a,b  --functions FILE  --top N (25: rows of the
 *        function lists)  --keep DIR  --from DIR (report again from kept dumps, no valgrind)
 * The report goes to stdout, progress to stderr.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { flag, hasFlag, listFlag, numberFlag, progress, QUICK, writeReport } from './support/cli';
import { commandLine, machineLine, sourceVersion } from './support/machine';
import { checkServer, type Launcher, nextAuthorization, prepareRace, type RaceSetup, type Server, startServer, stopServer, stubReportLine } from './support/race-servers';
import { CATEGORIES, CATEGORY_LABELS, type Category, costByName, mergeDumps, parseDump, PerfMap, type Split, splitDump, topByCategory } from './support/callgrind-split';
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
/** `--diff a,b`: the functions whose Ir/req differ most between variants a and b of each adapter (implies `--jit-names`). */
const DIFF = flag('diff') ? (listFlag('diff', ALL_VARIANTS, []) as Variant[]) : undefined;
if (DIFF && DIFF.length !== 2) throw new Error('--diff takes two variants: --diff noop,ours');
/** `--jit-names`: the servers run with node's `--perf-basic-prof`, so JIT code is named by JS function. */
const JIT_NAMES = hasFlag('jit-names') || DIFF !== undefined;
/** Where the top functions of each category go (the check of the classification); default beside `--out`. */
const FUNCTIONS_OUT = flag('functions') || (OUT ? OUT.replace(/(\.md)?$/, '.functions.md') : undefined);
const TOP = Math.round(numberFlag('top', 25));
/** `--keep DIR`: the callgrind dumps (and perf maps) are copied there for `build/bench/support/callgrind-split.js`. */
const KEEP = flag('keep') || undefined;
/** `--from DIR`: report again on the dumps an earlier run kept with `--keep DIR` (see `measurementsFrom`). */
const FROM = flag('from') || undefined;

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
      // --perf-basic-prof also turns V8's event log on (isolate-*-v8.log in the working directory): sent to the work directory.
      ...(JIT_NAMES ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${path.join(path.dirname(outFile), 'v8-%p.log')}`] : []),
    ],
  };
}

function callgrindControl(pid: number, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore', timeout: 120_000 });
}

/** Dump files of `outFile` (`outFile.1`, `outFile.2`, … and per-thread `-NN` suffixes). */
function dumpFiles(outFile: string): string[] {
  const dir = path.dirname(outFile);
  const base = path.basename(outFile);
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${base}.`)).map((f) => path.join(dir, f));
}

const splitFiles = (files: string[]): Split => splitDump(mergeDumps(files.map((f) => parseDump(fs.readFileSync(f, 'utf8')))));

/** Dumps the counters (which resets them) and returns the new dump file(s) read and split by function category. */
function dumpWindow(pid: number, outFile: string, label: string): Split {
  const before = new Set(dumpFiles(outFile));
  callgrindControl(pid, '--dump', label);
  const added = dumpFiles(outFile).filter((f) => !before.has(f));
  if (added.length === 0) throw new Error(`callgrind wrote no dump for ${label}`);
  const split = splitFiles(added);
  if (KEEP) for (const f of added) fs.copyFileSync(f, path.join(KEEP, path.basename(f)));
  for (const f of added) fs.rmSync(f);
  return split;
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
  /** Each window split by function category (Ir per request), with its collections. */
  splits: WindowSplit[];
  /** Self Ir per request of every function (JIT code by JS function with `--jit-names`), mean of the windows, and its categories' shares. */
  functions: Map<string, { ir: number; byCategory: Record<Category, number>; rule: string }>;
  /** The top functions of each category over all windows (Ir per request), for the check of the classification. */
  top: Record<Category, { name: string; ir: number; rule: string }[]>;
  /** Entries of the perf map (`--jit-names`), else undefined. */
  perfMapEntries?: number;
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
    const raw: Split[] = [];
    for (let w = 1; w <= WINDOWS; w++) {
      failures += await sendRequests(server, agent, REQUESTS);
      raw.push(dumpWindow(pid, outFile, `window-${w}`));
    }
    const windows = raw.map((s) => s.totals / REQUESTS);
    const seconds = (Date.now() - started) / 1000;
    progress(
      `  ${name}: ${windows.map((ir) => fmtInt(ir)).join(', ')} Ir/req; mutator + minor GC ${raw.map((s) => fmtInt(steadyOf(perRequest(s)))).join(', ')} (${Math.round(seconds)} s)`,
    );
    const label = `${adapter}-${variant}-${run}`;
    let perfMapText: string | undefined;
    if (JIT_NAMES && fs.existsSync(perfMapPath(pid))) {
      perfMapText = fs.readFileSync(perfMapPath(pid), 'utf8');
      if (KEEP) fs.writeFileSync(path.join(KEEP, `perf-${label}.map`), perfMapText);
    }
    if (KEEP) fs.writeFileSync(path.join(KEEP, `meta-${label}.json`), JSON.stringify({ adapter, variant, run, failures, seconds, requests: REQUESTS, windows: WINDOWS }));
    return { adapter, variant, run, windows, failures, seconds, splits: raw.map(perRequest), ...functionsOf(raw, perfMapText) };
  } finally {
    agent.destroy();
    // Nothing left to measure: no graceful close (minutes under valgrind).
    await stopServer(server, 1_000);
    live.delete(server);
    if (JIT_NAMES) fs.rmSync(perfMapPath(pid), { force: true });
  }
}

// ---- split by function category -------------------------------------------------------------------

interface WindowSplit {
  total: number;
  byCategory: Record<Category, number>;
  scavenges: number;
  markCompacts: number;
}

/** A window's split in Ir per request. */
function perRequest(s: Split): WindowSplit {
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, s.byCategory[c] / REQUESTS])) as Record<Category, number>;
  return { total: s.totals / REQUESTS, byCategory, scavenges: s.gcEvents.scavenges, markCompacts: s.gcEvents.markCompacts };
}

/**
 * The steady cost of a window: mutator + minor GC + the GC bookkeeping both kinds run, that is
 * everything but the compilers and major GC work (see the report's notes).
 */
const steadyOf = (w: WindowSplit) => steadyOfCategories(w.byCategory);
const steadyOfCategories = (c: Record<Category, number>) => c.mutator + c.gcMinor + c.gcShared;

const perfMapPath = (pid: number) => `/tmp/perf-${pid}.map`;

/** Per-function costs of a server's windows (JIT code named from its perf map with `--jit-names`). */
function functionsOf(raw: Split[], perfMapText: string | undefined): Pick<Measurement, 'functions' | 'top' | 'perfMapEntries'> {
  const perfMap = perfMapText === undefined ? undefined : new PerfMap(perfMapText);
  const functions: Measurement['functions'] = new Map();
  for (const split of raw) {
    for (const [name, e] of costByName(split, perfMap)) {
      let f = functions.get(name);
      if (!f) functions.set(name, (f = { ir: 0, byCategory: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>, rule: e.category }));
      const scale = 1 / (REQUESTS * raw.length);
      f.ir += e.ir * scale;
      for (const c of CATEGORIES) f.byCategory[c] += e.shares[c] * scale;
    }
  }
  // The top of each category over all windows: the windows' function lists put together (only `fns` is read).
  const all: Split = { totals: raw.reduce((n, s) => n + s.totals, 0), byCategory: raw[0].byCategory, fns: raw.flatMap((s) => s.fns), gcEvents: {} };
  const top = topByCategory(all, perfMap, TOP);
  for (const c of CATEGORIES) for (const e of top[c]) e.ir /= REQUESTS * raw.length;
  return { functions, top, perfMapEntries: perfMap?.size };
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

/** What the report's head says of the run (kept as `run.json` with `--keep`, read back by `--from`). */
interface RunInfo {
  startedAt: string;
  source: string;
  command: string;
  machine: string;
  valgrind: string;
  stubLine?: string;
  /** `--from`: where the dumps were re-read from. */
  rereadFrom?: string;
}

function runInfo(startedAt: Date, machineAtStart: string, stubLine: string | undefined): RunInfo {
  return {
    startedAt: startedAt.toISOString(),
    source: sourceVersion(),
    command: commandLine('instructions.js'),
    machine: `${machineAtStart} at start; ${machineLine().replace(/^.*load average/, 'load average')} at end; ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s in all`,
    valgrind: execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim(),
    stubLine,
  };
}

function report(measurements: Measurement[], info: RunInfo): string {
  const first = new Map(measurements.filter((m) => m.run === 1).map((m) => [resultKey(m.adapter, m.variant), m]));
  const irOf = (adapter: Adapter, variant: Variant) => {
    const m = first.get(resultKey(adapter, variant));
    return m ? figure(m) : undefined;
  };
  const steadyIrOf = (adapter: Adapter, variant: Variant) => {
    const m = first.get(resultKey(adapter, variant));
    return m ? steadyFigure(m) : undefined;
  };
  const ratioBy = (of: (adapter: Adapter, variant: Variant) => number | undefined) => (adapter: Adapter, mine: Variant, reference: Variant) => {
    const a = of(adapter, mine);
    const b = of(adapter, reference);
    return a === undefined || b === undefined ? undefined : b / a;
  };
  const costRatio = ratioBy(irOf);
  const steadyRatio = ratioBy(steadyIrOf);
  const failures = measurements.reduce((n, m) => n + m.failures, 0);
  const lines = [
    `## Instruction counts (callgrind), ${info.startedAt} (${info.source})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
    '',
    `Command: \`${info.command}\``,
    ...(info.rereadFrom ? ['', `Report made again from the dumps kept in \`${info.rereadFrom}\` by \`${commandLine('instructions.js')}\` (${sourceVersion()}).`] : []),
    '',
    `${info.machine}; ${info.valgrind}.`,
    '',
    `One server process per adapter × variant under \`valgrind --tool=callgrind --instr-atstart=no${SMC_CHECK ? ` --smc-check=${SMC_CHECK}` : ''} node ${[...V8_FLAGS, ...(JIT_NAMES ? ['--perf-basic-prof'] : [])].join(' ')}\`; ` +
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
    'Each cell: cost ratio by total Ir (lowest window) · by mutator + minor GC Ir (mean of the windows; compiler and major-GC work left out, see the notes).',
    '',
    '| Ratio (instructions per request) | Express cost ratio: total · mutator + minor GC | Fastify cost ratio: total · mutator + minor GC | Issue 12 target |',
    '| --- | ---: | ---: | --- |',
  ];
  for (const h of HEADLINES) {
    if (!VARIANT_LIST.includes(h.mine) || !VARIANT_LIST.includes(h.reference)) continue;
    const cell = (adapter: Adapter) => {
      if (!ADAPTER_LIST.includes(adapter)) return '–';
      const judged = (value: number | undefined) => `${fmtRatio(value)}${h.target?.adapters.includes(adapter) ? ` ${verdict(value, h.target.min)}` : ''}`;
      return `${judged(costRatio(adapter, h.mine, h.reference))} · ${judged(steadyRatio(adapter, h.mine, h.reference))}`;
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
    'Mutator + minor GC: every window is split by function (self Ir of each function of the callgrind dump, `bench/support/callgrind-split.ts`) into ' +
      "V8's compilers (TurboFan/Turboshaft, Maglev, Sparkplug, lazy parsing and bytecode generation, deoptimisation, tiering), major GC (mark-compact: incremental and concurrent marking, " +
      'sweeping, compaction), minor GC (scavenges), GC work both kinds run (entry, tracer, safepoints, page and remembered-set management: counted with the minor GC here, ' +
      'since a steady server scavenges far more often than it mark-compacts) and the mutator (everything else: JIT code, interpreter, builtins, runtime, Node, libuv, OpenSSL). ' +
      "libc, `v8::base::`, `std::` and V8's generic heap helpers are split between categories by their callers. Compile work amortises to ~0 over a long run (each function is " +
      'optimised once) and major-GC work is bounded by the live heap, not by the request count, so both are left out of the second figure: it is the per-request cost of a long ' +
      'steady run, and it does not depend on which window a compile or a major GC happens to land in. Its figure is the mean of the windows (scavenges come every few hundred ' +
      'requests, so a window holds one more or one fewer). It is a model too, and it leaves out a real cost where a variant fills the old generation request after request ' +
      '(objects promoted, or allocated old, e.g. maps and descriptor arrays made per request): mark-compacts then recur at a rate set by the variant, not by the heap size ' +
      '(Express here: one every 500–1,000 requests, 170–350 k Ir/req). The per-server tables show the major-GC Ir/req and the mark-compact count beside it: read the two figures together.',
    '',
  );
  for (const adapter of ADAPTER_LIST) {
    lines.push(`### ${adapter === 'express' ? 'Express' : 'Fastify'}`, '');
    const windowHeads = Array.from({ length: WINDOWS }, (_, i) => `window ${i + 1} Ir/req`);
    lines.push(
      `| Variant | Ir/req | vs bare | cost ratio (bare ÷ this) | ${windowHeads.join(' | ')} | spread of the last two windows | mutator + minor GC Ir/req (mean) | vs bare | cost ratio by it | its spread over the windows | major GC Ir/req (mean; mark-compacts in all windows) | compiler Ir/req (mean) |`,
    );
    lines.push(`| --- | ---: | ---: | ---: | ${windowHeads.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
    const bare = irOf(adapter, 'bare')!;
    const steadyBare = steadyIrOf(adapter, 'bare')!;
    for (const variant of VARIANT_LIST) {
      const m = first.get(resultKey(adapter, variant))!;
      const ir = figure(m);
      lines.push(
        `| ${VARIANTS[variant].label}${m.failures ? ` (**${m.failures} failed requests**)` : ''} | ${fmtInt(ir)} | ${variant === 'bare' ? '–' : `${ir >= bare ? '+' : ''}${fmtInt(ir - bare)}`} | ` +
          `${fmtRatio(bare / ir)} | ${m.windows.map(fmtInt).join(' | ')} | ${spread(m.windows.slice(-2))} | ` +
          `${fmtInt(steadyFigure(m))} | ${variant === 'bare' ? '–' : `${steadyFigure(m) >= steadyBare ? '+' : ''}${fmtInt(steadyFigure(m) - steadyBare)}`} | ` +
          `${fmtRatio(steadyBare / steadyFigure(m))} | ${spread(m.splits.map(steadyOf))} | ` +
          `${fmtInt(meanOf(m, (w) => w.byCategory.gcMajor))} (${m.splits.reduce((n, w) => n + w.markCompacts, 0)}) | ${fmtInt(meanOf(m, (w) => w.byCategory.compiler))} |`,
      );
    }
    lines.push('');
    lines.push(
      `Split of every window by function category (Ir/req; GC events = calls of \`ScavengerCollector::CollectGarbage\` / \`MarkCompactCollector::CollectGarbage\` in the window):`,
      '',
      `| Variant | window | total | ${CATEGORIES.map((c) => CATEGORY_LABELS[c]).join(' | ')} | mutator + minor GC | scavenges | mark-compacts |`,
      `| --- | ---: | ---: | ${CATEGORIES.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
    );
    for (const variant of VARIANT_LIST) {
      const m = first.get(resultKey(adapter, variant))!;
      m.splits.forEach((w, i) =>
        lines.push(
          `| ${i === 0 ? VARIANTS[variant].label : ''} | ${i + 1} | ${fmtInt(w.total)} | ${CATEGORIES.map((c) => fmtInt(w.byCategory[c])).join(' | ')} | ${fmtInt(steadyOf(w))} | ${w.scavenges} | ${w.markCompacts} |`,
        ),
      );
    }
    lines.push('');
    if (DIFF && VARIANT_LIST.includes(DIFF[0]) && VARIANT_LIST.includes(DIFF[1])) lines.push(...diffSection(first.get(resultKey(adapter, DIFF[0]))!, first.get(resultKey(adapter, DIFF[1]))!), '');
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
  if (info.stubLine) lines.push(info.stubLine, '');
  lines.push(`Wall time per server (start, warm-up, counted windows, stop): ${measurements.map((m) => `${m.adapter}/${m.variant}${m.run > 1 ? '#2' : ''} ${Math.round(m.seconds)} s`).join(', ')}.`, '');
  return lines.join('\n') + '\n';
}

/** The mean over a server's windows of `f`. */
const meanOf = (m: Measurement, f: (w: WindowSplit) => number) => m.splits.reduce((n, w) => n + f(w), 0) / m.splits.length;
/** The figure of a server by mutator + minor GC: the mean of its windows. */
const steadyFigure = (m: Measurement) => meanOf(m, steadyOf);

/** Functions whose Ir/req differ most between two servers (`--diff a,b`): b − a, by mutator + minor GC and in all. */
function diffSection(a: Measurement, b: Measurement): string[] {
  const steady = (f: { byCategory: Record<Category, number> } | undefined) => (f ? steadyOfCategories(f.byCategory) : 0);
  const names = new Set([...a.functions.keys(), ...b.functions.keys()]);
  const rows = [...names].map((name) => {
    const fa = a.functions.get(name);
    const fb = b.functions.get(name);
    return { name, a: steady(fa), b: steady(fb), all: (fb?.ir ?? 0) - (fa?.ir ?? 0), rule: (fb ?? fa)!.rule };
  });
  const total = steadyFigure(b) - steadyFigure(a);
  const up = rows.filter((r) => r.b - r.a > 0).sort((x, y) => y.b - y.a - (x.b - x.a));
  const down = rows.filter((r) => r.b - r.a < 0).sort((x, y) => x.b - x.a - (y.b - y.a));
  const shown = [...up.slice(0, TOP), ...down.slice(0, Math.ceil(TOP / 3))];
  const name = (m: Measurement) => `${m.adapter}/${m.variant}`;
  return [
    `Where ${name(b)} − ${name(a)} goes (\`--diff\`; self Ir/req by mutator + minor GC, mean of the windows; ${fmtInt(total)} Ir/req in all; ` +
      `JIT code ${a.perfMapEntries !== undefined ? 'named by JS function from the perf map' : 'not named (no perf map)'}; the ${TOP} largest increases and ${Math.ceil(TOP / 3)} largest decreases):`,
    '',
    `| Function | rule | ${name(a)} | ${name(b)} | difference | cumulative | difference, all categories |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...(() => {
      let cumulative = 0;
      return shown.map((r) => {
        cumulative += r.b - r.a;
        return `| ${r.name.replace(/\|/g, '\\|')} | ${r.rule} | ${fmtInt(r.a)} | ${fmtInt(r.b)} | ${r.b - r.a >= 0 ? '+' : ''}${fmtInt(r.b - r.a)} | ${fmtInt(cumulative)} | ${r.all >= 0 ? '+' : ''}${fmtInt(r.all)} |`;
      });
    })(),
  ];
}

/** The top functions of each category of every server: the check of the classification. */
function functionsReport(measurements: Measurement[]): string {
  const lines = [
    '## Top functions of each category (Ir/req, mean of the windows)',
    '',
    'Self Ir of each function, split as in the report (rule = the category its name or object gives, `context` = split by its callers: the row shows the part put into this category). ' +
      (JIT_NAMES ? 'JIT code is named from the perf map of `--perf-basic-prof` (tier marks removed, so the tiers of one function add up).' : 'JIT code is one row per basic block address unless the servers ran with `--jit-names`.'),
    '',
  ];
  for (const m of measurements) {
    lines.push(`### ${m.adapter}/${m.variant}${m.run > 1 ? ` (run ${m.run})` : ''}${m.perfMapEntries !== undefined ? ` (perf map: ${fmtInt(m.perfMapEntries)} entries)` : ''}`, '');
    for (const c of CATEGORIES) {
      const sum = m.splits.reduce((n, w) => n + w.byCategory[c], 0) / m.splits.length;
      lines.push(`${CATEGORY_LABELS[c]}: ${fmtInt(sum)} Ir/req`, '', '| Ir/req | rule | function |', '| ---: | --- | --- |');
      for (const e of m.top[c]) lines.push(`| ${fmtInt(e.ir)} | ${e.rule} | ${e.name.replace(/\|/g, '\\|')} |`);
      lines.push('');
    }
  }
  return lines.join('\n') + '\n';
}

// ---- main -------------------------------------------------------------------------------------

/**
 * `--from DIR`: the measurements of an earlier run kept with `--keep DIR`, read again (dumps,
 * perf maps, `meta-*.json`) with the classification of this build; give the run's other flags
 * (--adapters, --variants, --requests, --windows, …) as they were, for the report's text.
 */
function measurementsFrom(dir: string): Measurement[] {
  const metas = fs.readdirSync(dir).filter((f) => /^meta-.*\.json$/.test(f));
  const out: Measurement[] = [];
  for (const file of metas) {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { adapter: Adapter; variant: Variant; run: number; failures: number; seconds: number; requests: number; windows: number };
    if (meta.requests !== REQUESTS || meta.windows !== WINDOWS) throw new Error(`${file}: ${meta.windows} windows of ${meta.requests} requests; give --windows ${meta.windows} --requests ${meta.requests}`);
    const label = `${meta.adapter}-${meta.variant}-${meta.run}`;
    const dumps = fs.readdirSync(dir).filter((f) => f.startsWith(`callgrind.${label}.out.`));
    const raw = Array.from({ length: meta.windows }, (_, i) => splitFiles(dumps.filter((f) => f.split('.out.')[1].split('-')[0] === String(i + 1)).map((f) => path.join(dir, f))));
    const perfMapFile = path.join(dir, `perf-${label}.map`);
    const perfMapText = fs.existsSync(perfMapFile) ? fs.readFileSync(perfMapFile, 'utf8') : undefined;
    out.push({ ...meta, windows: raw.map((s) => s.totals / REQUESTS), splits: raw.map(perRequest), ...functionsOf(raw, perfMapText) });
  }
  const order = (m: Measurement) => ADAPTER_LIST.indexOf(m.adapter) * 1000 + VARIANT_LIST.indexOf(m.variant) * 10 + m.run;
  return out.filter((m) => ADAPTER_LIST.includes(m.adapter) && VARIANT_LIST.includes(m.variant)).sort((a, b) => order(a) - order(b));
}

function writeReports(measurements: Measurement[], info: RunInfo): void {
  if (KEEP) fs.writeFileSync(path.join(KEEP, 'run.json'), JSON.stringify(info));
  writeReport(report(measurements, info), OUT);
  if (FUNCTIONS_OUT) {
    fs.mkdirSync(path.dirname(path.resolve(FUNCTIONS_OUT)), { recursive: true });
    fs.writeFileSync(FUNCTIONS_OUT, functionsReport(measurements));
    progress(`top functions of each category written to ${FUNCTIONS_OUT}`);
  } else process.stderr.write(functionsReport(measurements));
}

async function main(): Promise<void> {
  if (FROM) {
    const kept = path.join(FROM, 'run.json');
    const info: RunInfo = fs.existsSync(kept) ? JSON.parse(fs.readFileSync(kept, 'utf8')) : runInfo(new Date(), '(machine of the run not kept)', undefined);
    writeReports(measurementsFrom(FROM), { ...info, rereadFrom: FROM });
    return;
  }
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  const startedAt = new Date();
  const machineAtStart = machineLine();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-instructions-'));
  if (KEEP) fs.mkdirSync(KEEP, { recursive: true });
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
    writeReports(measurements, runInfo(startedAt, machineAtStart, setup.stub ? stubReportLine(setup.stub) : undefined));
  } finally {
    await race?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
