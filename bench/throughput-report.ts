/**
 * The throughput race's report: one table per adapter (medians across rounds, ratios to the
 * bare route of the same round) and the headline ratios of issue 12 with their targets.
 */
import { fmtFixed, fmtInt, fmtRatio, fmtSigned, median, verdict } from './support/stats';
import { VARIANTS, type Adapter, type Variant } from './throughput-variants';

/** One load run of one server. */
export interface RunResult {
  /** Requests answered with 200. */
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  failures: number;
}

/** Runs by `adapter/variant`, one per round, in round order. */
export type Results = Map<string, RunResult[]>;

export const resultKey = (adapter: Adapter, variant: Variant) => `${adapter}/${variant}`;

/** A headline ratio: requests/s of `mine` ÷ requests/s of `reference`, same adapter, same round. */
export interface Headline {
  mine: Variant;
  reference: Variant;
  label: string;
  /** Issue 12's target, and the adapters it applies to (others: shown for information). */
  target?: { min: number; adapters: Adapter[] };
}

export const HEADLINES: Headline[] = [
  { mine: 'module-only', reference: 'bare', label: 'module imported, unguarded route ÷ bare', target: { min: 0.97, adapters: ['express', 'fastify'] } },
  { mine: 'noop', reference: 'bare', label: 'no-op async guard ÷ bare (Nest guard floor)' },
  { mine: 'ours', reference: 'noop', label: 'ours, steady state ÷ no-op guard', target: { min: 0.95, adapters: ['express', 'fastify'] } },
  { mine: 'ours', reference: 'bare', label: 'ours, steady state ÷ bare' },
  { mine: 'ours-fresh', reference: 'bare', label: 'ours, never-seen tokens ÷ bare', target: { min: 0.6, adapters: ['express'] } },
  { mine: 'ours-nocache', reference: 'bare', label: 'ours, cache off ÷ bare' },
  { mine: 'ours', reference: 'supertokens', label: 'ours (cache on) ÷ supertokens-node', target: { min: 2.5, adapters: ['express'] } },
  { mine: 'ours-nocache', reference: 'supertokens', label: 'ours (cache off) ÷ supertokens-node', target: { min: 2, adapters: ['express'] } },
  { mine: 'ours-fresh', reference: 'supertokens', label: 'ours (never-seen tokens) ÷ supertokens-node' },
  { mine: 'ours', reference: 'passport', label: 'ours ÷ passport-jwt (documented, PEM)', target: { min: 4, adapters: ['express', 'fastify'] } },
  { mine: 'ours', reference: 'passport-keyobject', label: 'ours ÷ passport-jwt (KeyObject)', target: { min: 1.5, adapters: ['express', 'fastify'] } },
  { mine: 'ours-nocache', reference: 'passport-keyobject', label: 'ours (cache off) ÷ passport-jwt (KeyObject)' },
  { mine: 'ours-nocache', reference: 'jose', label: 'ours (cache off) ÷ minimal jose guard' },
  { mine: 'ours-fresh', reference: 'jose', label: 'ours (never-seen tokens) ÷ minimal jose guard' },
];

function perRound(results: Results, adapter: Adapter, mine: Variant, reference: Variant, f: (m: RunResult, r: RunResult) => number): number | undefined {
  const a = results.get(resultKey(adapter, mine));
  const b = results.get(resultKey(adapter, reference));
  if (!a || !b) return undefined;
  return median(a.map((run, i) => f(run, b[i])));
}

/** The never-seen pool as one server used it: requests, distinct tokens, most sends of one token. */
export interface PoolUse {
  server: string;
  sent: number;
  distinct: number;
  maxSends: number;
}

export interface ReportSetup {
  adapters: Adapter[];
  variants: Variant[];
  connections: number;
  rounds: number;
  duration: number;
  warmup: number;
  poolSize: number;
  /** What each never-seen-token server was sent (empty when the variant did not run). */
  poolUse?: PoolUse[];
  pinned: string;
  profiled: boolean;
}

export function adapterTables(results: Results, setup: ReportSetup): string[] {
  const lines: string[] = [];
  for (const adapter of setup.adapters) {
    lines.push(`### ${adapter === 'express' ? 'Express' : 'Fastify'}`, '');
    lines.push('| Variant | req/s | req/s range | p50 ms | p99 ms | server CPU µs/req | CPU µs/req vs bare | req/s ÷ bare |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const variant of setup.variants) {
      const runs = results.get(resultKey(adapter, variant))!;
      const rps = runs.map((r) => r.rps);
      const failures = runs.reduce((n, r) => n + r.failures, 0);
      const cpuDelta = perRound(results, adapter, variant, 'bare', (m, b) => m.cpuMicrosPerRequest - b.cpuMicrosPerRequest)!;
      lines.push(
        `| ${VARIANTS[variant].label}${failures ? ` (**${failures} failed requests**)` : ''} | ${fmtInt(median(rps))} | ${fmtInt(Math.min(...rps))}–${fmtInt(Math.max(...rps))} | ` +
          `${fmtFixed(median(runs.map((r) => r.p50)))} | ${fmtFixed(median(runs.map((r) => r.p99)))} | ${fmtInt(median(runs.map((r) => r.cpuMicrosPerRequest)))} | ` +
          `${variant === 'bare' ? '–' : fmtSigned(cpuDelta)} | ${fmtRatio(perRound(results, adapter, variant, 'bare', (m, b) => m.rps / b.rps))} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

/** The headline ratios of a run: value per adapter (undefined when not measured) and the target text. */
export function headlineValues(results: Results, setup: Pick<ReportSetup, 'adapters' | 'variants'>) {
  return HEADLINES.filter((h) => setup.variants.includes(h.mine) && setup.variants.includes(h.reference)).map((h) => {
    const value = (adapter: Adapter) =>
      setup.adapters.includes(adapter) ? perRound(results, adapter, h.mine, h.reference, (m, r) => m.rps / r.rps) : undefined;
    // The throughput ratio the CPU cost implies on a dedicated core: reference µs/req ÷ mine.
    const cpuValue = (adapter: Adapter) =>
      setup.adapters.includes(adapter) ? perRound(results, adapter, h.mine, h.reference, (m, r) => r.cpuMicrosPerRequest / m.cpuMicrosPerRequest) : undefined;
    const judge = (adapter: Adapter, v: number | undefined) => (h.target?.adapters.includes(adapter) ? ` ${verdict(v, h.target.min)}` : '');
    return {
      label: h.label,
      express: value('express'),
      fastify: value('fastify'),
      expressCpu: cpuValue('express'),
      fastifyCpu: cpuValue('fastify'),
      judge,
      target: h.target ? `≥ ${h.target.min}× (${h.target.adapters.length === 2 ? 'both adapters' : h.target.adapters.join(', ')})` : 'information',
    };
  });
}

export function headlineTable(results: Results, setup: ReportSetup): string[] {
  const lines = [
    '| Ratio (median of per-round ratios) | Express req/s | Express by CPU µs/req | Fastify req/s | Fastify by CPU µs/req | Issue 12 target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const h of headlineValues(results, setup)) {
    lines.push(
      `| ${h.label} | ${fmtRatio(h.express)}${h.judge('express', h.express)} | ${fmtRatio(h.expressCpu)}${h.judge('express', h.expressCpu)} | ` +
        `${fmtRatio(h.fastify)}${h.judge('fastify', h.fastify)} | ${fmtRatio(h.fastifyCpu)}${h.judge('fastify', h.fastifyCpu)} | ${h.target} |`,
    );
  }
  lines.push(
    '',
    '"by CPU µs/req": the throughput ratio the measured server CPU cost implies on a core of its own (reference µs/req ÷ this µs/req, per round). ' +
      'On a shared, overloaded core the req/s ratios are biased: the scheduler shares the core per thread, and the variants that verify through ' +
      "jose (ours on a cache miss, the jose guard, supertokens-node) run the signature check on libuv's thread pool, so they get more than one thread's share.",
  );
  return lines;
}

/** The never-seen variant's pool and, counted from what was sent, whether any token reached a server twice. */
function poolNote(setup: ReportSetup): string[] {
  if (!setup.poolUse?.length) return [];
  const exceeded = setup.poolUse.filter((u) => u.maxSends > 1);
  const most = Math.max(...setup.poolUse.map((u) => u.maxSends));
  return [
    `Never-seen tokens: a pool of ${fmtInt(setup.poolSize)} distinct valid tokens (signed with the module's key from one session's payload, ` +
      'one session handle each), sent in turn to each server (every server process has its own cache); ' +
      `sent: ${setup.poolUse.map((u) => `${u.server} ${fmtInt(u.sent)} requests, ${fmtInt(u.distinct)} distinct tokens`).join('; ')}; ` +
      `most times any one token was sent to one server: **${most}**` +
      (exceeded.length === 0
        ? ' (no token seen twice: every request a cache miss).'
        : `. **Warning: the pool was exceeded (${exceeded.map((u) => u.server).join(', ')}): repeated tokens can be cache hits; rerun with --pool ≥ ${fmtInt(Math.max(...exceeded.map((u) => u.sent)))}.**`),
  ];
}

export function setupNotes(setup: ReportSetup): string[] {
  return [
    `autocannon, ${setup.connections} connections, no pipelining, ${setup.rounds} rounds × ${setup.duration} s per server after ${setup.warmup} s of warm-up; ` +
      `one server process per adapter × variant, measured one at a time in an order rotated every round; ${setup.pinned}.` +
      (setup.profiled ? ' **Servers profiled (--cpu-prof): slower than a plain run; compare only within this run.**' : ''),
    ...poolNote(setup),
    'req/s, p50, p99 and CPU µs/req are medians across rounds; ratios and "vs bare" are medians of the per-round comparisons (same adapter, same round). ' +
      'Latency is measured at saturation (the server core at 100% with every connection busy), so it is mostly queueing: p50 ≈ connections ÷ req/s. ' +
      'Server CPU µs/req (user + system of the server process ÷ requests answered) moves least when another process steals the core.',
  ];
}
