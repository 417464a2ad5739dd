/**
 * Before/after of two throughput races (`--json` files of `bench/throughput.ts`), e.g. the
 * baseline in bench/results/baseline/ against a run on the optimised code:
 *
 *   node build/bench/throughput.js --json /tmp/after.json
 *   node build/bench/compare.js bench/results/baseline/throughput.json /tmp/after.json
 *
 * With one file, it renders that run's tables again (headline ratios and adapter tables).
 *
 * Two runs are two different machine states, so absolute req/s do not compare well on a shared
 * machine; the headline ratios (each taken within its own run) and the server CPU µs per request
 * do, and those are what this prints.
 */
import fs from 'node:fs';
import { fmtInt, fmtRatio, median } from './support/stats';
import { adapterTables, headlineTable, headlineValues, type ReportSetup, type Results, type RunResult } from './throughput-report';
import { VARIANTS, type Variant } from './throughput-variants';

interface SavedRun {
  startedAt: string;
  source: string;
  setup: ReportSetup;
  results: Record<string, RunResult[]>;
}

function load(file: string): { run: SavedRun; results: Results } {
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedRun;
  return { run, results: new Map(Object.entries(run.results)) };
}

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile) {
  console.error('usage: node build/bench/compare.js BEFORE.json [AFTER.json]');
  process.exit(2);
}
const before = load(beforeFile);
if (!afterFile) {
  console.log([`## ${before.run.source} (${before.run.startedAt})`, '', ...headlineTable(before.results, before.run.setup), '', ...adapterTables(before.results, before.run.setup)].join('\n'));
  process.exit(0);
}
const after = load(afterFile);
const lines = [
  `## Before/after: ${before.run.source} (${before.run.startedAt}) → ${after.run.source} (${after.run.startedAt})`,
  '',
  '| Ratio | Express before | Express after | Fastify before | Fastify after | target |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
];
const afterByLabel = new Map(headlineValues(after.results, after.run.setup).map((h) => [h.label, h]));
for (const b of headlineValues(before.results, before.run.setup)) {
  const a = afterByLabel.get(b.label);
  lines.push(
    `| ${b.label} | ${fmtRatio(b.express)} | ${fmtRatio(a?.express)}${a ? a.judge('express', a.express) : ''} | ${fmtRatio(b.fastify)} | ${fmtRatio(a?.fastify)}${a ? a.judge('fastify', a.fastify) : ''} | ${b.target} |`,
  );
}
lines.push('', '| Server CPU µs/req (median) | before | after | after ÷ before |', '| --- | ---: | ---: | ---: |');
for (const key of Object.keys(before.run.results)) {
  const b = median(before.run.results[key].map((r) => r.cpuMicrosPerRequest));
  const a = after.run.results[key] ? median(after.run.results[key].map((r) => r.cpuMicrosPerRequest)) : NaN;
  const [adapter, variant] = key.split('/') as [string, Variant];
  lines.push(`| ${adapter}: ${VARIANTS[variant]?.label ?? variant} | ${fmtInt(b)} | ${fmtInt(a)} | ${fmtRatio(a / b)} |`);
}
console.log(lines.join('\n'));
