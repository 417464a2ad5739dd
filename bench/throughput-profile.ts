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
 * Usable alone: `node dist/bench/throughput-profile.js FILE [TOP]`.
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
}

export interface Share {
  name: string;
  percent: number;
}

export interface ProfileSummary {
  busySamples: number;
  areas: Share[];
  self: Share[];
  focusInclusive: Share[];
}

const NOT_WORK = new Set(['(idle)', '(root)']);
/** Frames whose inclusive time is listed: this project and the libraries that verify tokens. */
const FOCUS = /^(src\/|jose\/|passport|@nestjs\/passport\/|jsonwebtoken\/|jws\/|jwa\/)/;

function file(url: string): string {
  return url.replace(/^file:\/\//, '');
}

/** `node_modules/jose/dist/...` → `jose/dist/...`; the project's compiled files relative to `dist/`. */
function location(url: string): string {
  if (!url) return '';
  const f = file(url);
  const nm = f.lastIndexOf('node_modules/');
  if (nm >= 0) return f.slice(nm + 'node_modules/'.length);
  const dist = f.lastIndexOf('/dist/');
  if (dist >= 0) return f.slice(dist + '/dist/'.length);
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
  let busy = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!.callFrame;
    if (NOT_WORK.has(leaf.functionName)) continue;
    busy++;
    let caller: CallFrame | undefined;
    for (let at = parent.get(id); at !== undefined && !caller; at = parent.get(at)) {
      if (byId.get(at)!.callFrame.url) caller = byId.get(at)!.callFrame;
    }
    add(areas, area(leaf, caller));
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
  return { busySamples: busy, areas: ranked(areas, 12), self: ranked(self, top), focusInclusive: ranked(focus, top) };
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

if (require.main === module) {
  const [profileFile, top] = process.argv.slice(2);
  if (!profileFile) {
    console.error('usage: node dist/bench/throughput-profile.js FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(formatProfileSummary(path.basename(profileFile), summarizeProfile(profileFile, top ? Number(top) : 25)).join('\n'));
}
