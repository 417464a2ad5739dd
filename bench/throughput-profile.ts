/**
 * Summary of a V8 `.cpuprofile` for the throughput report (the servers write one per variant when
 * the bench runs with `--cpu-prof`), as shares of the busy samples (idle samples left out):
 *
 *   - self time by area: the package a frame belongs to (`jose`, `fastify`, `@nestjs/core`...), a
 *     file of this project (`src/tokens/access-token.service.js`), Node's crypto (natives called
 *     from `internal/crypto/*`: key import, signature check), the rest of Node's core (HTTP,
 *     streams, sockets and the native calls under them, such as `writev`), GC;
 *   - the functions with the most self time;
 *   - inclusive time of the frames of this project and of the token libraries (a sample counts
 *     once for every distinct such function on its stack). Async functions resume from the
 *     microtask queue, so their inclusive time covers the synchronous stretches only.
 *
 * Given the server's CPU µs per request (measured with `process.cpuUsage()`, not from the
 * profile: sample times are wall-clock and swell when the core is shared), shares become µs per
 * request, and `diffProfiles` lists what one variant spends per request beyond another (ours
 * beyond the no-op guard: where the guard's µs go), function by function.
 *
 * Usable alone: `node build/bench/throughput-profile.js FILE [TOP]`, or
 * `node build/bench/throughput-profile.js FILE --us-per-request N [--baseline OTHER.cpuprofile --baseline-us-per-request M]`.
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** µs between a sample and the previous one (so a sample stands for that much time). */
  timeDeltas?: number[];
}

export interface Share {
  name: string;
  percent: number;
}

export interface ProfileSummary {
  busySamples: number;
  /** Busy time (µs) the profile covers. */
  busyMicros: number;
  areas: Share[];
  self: Share[];
  focusInclusive: Share[];
  /** Self time (µs) of every function, by {@link frameName}. */
  selfMicrosByFunction: Map<string, number>;
  /** Self time (µs) by area (package, project file, Node core...). */
  selfMicrosByArea: Map<string, number>;
}

const NOT_WORK = new Set(['(idle)', '(root)']);
/** Frames whose inclusive time is listed: this project and the libraries that verify tokens. */
const FOCUS = /^(src\/|jose\/|passport|@nestjs\/passport\/|jsonwebtoken\/|jws\/|jwa\/)/;

function file(url: string): string {
  return url.replace(/^file:\/\//, '');
}

/** `node_modules/jose/dist/...` → `jose/dist/...`; the project's compiled files relative to `build/` (or `dist/`). */
function location(url: string): string {
  if (!url) return '';
  const f = file(url);
  const nm = f.lastIndexOf('node_modules/');
  if (nm >= 0) return f.slice(nm + 'node_modules/'.length);
  const out = Math.max(f.lastIndexOf('/build/'), f.lastIndexOf('/dist/'));
  if (out >= 0) return f.slice(f.indexOf('/', out + 1) + 1);
  return f.startsWith('node:') ? f.slice(5) : path.basename(f);
}

/** Where a self-time sample goes; `caller` is the nearest frame with a script (natives have none). */
function area(frame: CallFrame, caller: CallFrame | undefined): string {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(program)') return 'V8 (program: compiler, runtime)';
  const f = file(frame.url);
  const core = !f || f.startsWith('node:') || !f.includes('/');
  if (core && /(^|[/:])internal\/crypto\//.test(file(frame.url || caller?.url || ''))) return 'Node crypto (key import, signature check; native)';
  if (core) return 'Node core + natives (http, net, streams, writev...)';
  const nm = f.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = f.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const loc = location(frame.url);
  return loc.startsWith('src/') ? `this library: ${loc}` : loc;
}

function frameName(frame: CallFrame): string {
  const where = location(frame.url);
  const name = frame.functionName || '(anonymous)';
  return where ? `${name} ${where}:${frame.lineNumber + 1}` : name;
}

export function summarizeProfile(profileFile: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const areas = new Map<string, number>();
  const self = new Map<string, number>();
  const focus = new Map<string, number>();
  const add = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);
  const selfMicros = new Map<string, number>();
  const areaMicros = new Map<string, number>();
  let busy = 0;
  let busyMicros = 0;
  for (let s = 0; s < profile.samples.length; s++) {
    const id = profile.samples[s];
    const leaf = byId.get(id)!.callFrame;
    if (NOT_WORK.has(leaf.functionName)) continue;
    busy++;
    // A sample's delta is the time since the previous sample; the next one's is the time it covers.
    const micros = profile.timeDeltas?.[s + 1] ?? profile.timeDeltas?.[s] ?? 0;
    busyMicros += micros;
    selfMicros.set(frameName(leaf), (selfMicros.get(frameName(leaf)) ?? 0) + micros);
    let caller: CallFrame | undefined;
    for (let at = parent.get(id); at !== undefined && !caller; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url) caller = byId.get(at)!.callFrame;
    }
    add(areas, area(leaf, caller));
    areaMicros.set(area(leaf, caller), (areaMicros.get(area(leaf, caller)) ?? 0) + micros);
    add(self, frameName(leaf));
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!FOCUS.test(location(frame.url))) continue;
      const name = frameName(frame);
      if (!seen.has(name)) {
        seen.add(name);
        add(focus, name);
      }
    }
  }
  const ranked = (counts: Map<string, number>, n: number) =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => ({ name, percent: (100 * count) / Math.max(busy, 1) }));
  return {
    busySamples: busy,
    busyMicros,
    areas: ranked(areas, 12),
    self: ranked(self, top),
    focusInclusive: ranked(focus, top),
    selfMicrosByFunction: selfMicros,
    selfMicrosByArea: areaMicros,
  };
}

/** The summary as text lines; with `cpuMicrosPerRequest`, areas are also shown as µs per request. */
export function formatProfileSummary(title: string, summary: ProfileSummary, cpuMicrosPerRequest?: number): string[] {
  const pct = (s: Share) => `${s.percent.toFixed(1).padStart(5)}%`;
  const micros = (s: Share) => (cpuMicrosPerRequest === undefined ? '' : ` ${((s.percent / 100) * cpuMicrosPerRequest).toFixed(1).padStart(6)} µs/req`);
  const lines = [`### ${title} (${summary.busySamples} busy samples)`, '', 'self time by area:'];
  for (const s of summary.areas) lines.push(`  ${pct(s)}${micros(s)}  ${s.name}`);
  lines.push('top functions, self time:');
  for (const s of summary.self) lines.push(`  ${pct(s)}  ${s.name}`);
  if (summary.focusInclusive.length > 0) {
    lines.push('this library and token libraries, inclusive time:');
    for (const s of summary.focusInclusive) lines.push(`  ${pct(s)}  ${s.name}`);
  }
  return lines;
}

/**
 * Self time per request by function in `mine` beyond `baseline` (each function's share of its
 * profile's busy time × that server's CPU µs per request), largest first: where the extra µs of
 * one variant go. Differences under `minMicros` are left out.
 */
export function diffProfiles(
  mine: ProfileSummary,
  mineMicrosPerRequest: number,
  baseline: ProfileSummary,
  baselineMicrosPerRequest: number,
  by: 'function' | 'area' = 'function',
  top = 20,
  minMicros = 0.3,
): { name: string; micros: number }[] {
  const of = (summary: ProfileSummary) => (by === 'area' ? summary.selfMicrosByArea : summary.selfMicrosByFunction);
  const perRequest = (summary: ProfileSummary, micros: number, name: string) => ((of(summary).get(name) ?? 0) / Math.max(summary.busyMicros, 1)) * micros;
  const names = new Set([...of(mine).keys(), ...of(baseline).keys()]);
  return [...names]
    .map((name) => ({ name, micros: perRequest(mine, mineMicrosPerRequest, name) - perRequest(baseline, baselineMicrosPerRequest, name) }))
    .filter((d) => Math.abs(d.micros) >= minMicros)
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top);
}

/** `diffProfiles` by area, then by function, as text lines. */
export function formatDiff(title: string, byArea: { name: string; micros: number }[], byFunction: { name: string; micros: number }[], totalDelta: number): string[] {
  const row = (d: { name: string; micros: number }) => `  ${((d.micros >= 0 ? '+' : '') + d.micros.toFixed(2)).padStart(7)} µs  ${d.name}`;
  return [
    `### ${title}: ${totalDelta >= 0 ? '+' : ''}${totalDelta.toFixed(1)} µs of server CPU per request in all`,
    '',
    'self time per request, difference by area:',
    ...byArea.map(row),
    'self time per request, difference by function (largest first):',
    ...byFunction.map(row),
  ];
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const [profileFile, top] = process.argv.slice(2);
  if (!profileFile) {
    console.error('usage: node build/bench/throughput-profile.js FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const summary = summarizeProfile(profileFile, top && !top.startsWith('--') ? Number(top) : 25);
  const perRequest = Number(argValue('us-per-request') ?? NaN);
  console.log(formatProfileSummary(path.basename(profileFile), summary, Number.isFinite(perRequest) ? perRequest : undefined).join('\n'));
  const baselineFile = argValue('baseline');
  const baselinePerRequest = Number(argValue('baseline-us-per-request') ?? NaN);
  if (baselineFile && Number.isFinite(perRequest) && Number.isFinite(baselinePerRequest)) {
    const baseline = summarizeProfile(baselineFile);
    const diff = (by: 'function' | 'area') => diffProfiles(summary, perRequest, baseline, baselinePerRequest, by);
    console.log(['', ...formatDiff(`${path.basename(profileFile)} beyond ${path.basename(baselineFile)}`, diff('area'), diff('function'), perRequest - baselinePerRequest)].join('\n'));
  }
}
