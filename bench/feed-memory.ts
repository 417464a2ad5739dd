/**
 * Revocation feed memory benchmark (issue 16): heap of the revoked-handle set after a flood of
 * one million revocations, each received as a feed message (decoded like a live one, so the
 * handle strings are what production holds), plus the cost of the per-request lookup and of
 * pruning the set once the tokens have expired.
 *
 *   npm run bench:feed                         (builds, then node --expose-gc build/bench/feed-memory.js)
 *   node --expose-gc build/bench/feed-memory.js --handles 1000000 --batch 1 --out FILE
 *   --batch N: handles per message (revokeMultipleSessions / revokeAllSessionsForUser send several).
 *
 * Handles are random UUIDs (what the module issues). Heap is read after a forced GC before and
 * after; per-entry bytes = difference / handles. Without `--expose-gc` the figure is noisier.
 */
import { randomUUID } from 'node:crypto';
import { decodeFeedEvent, decodeFeedMessage, encodeFeedEvent, encodeFeedMessage } from '../src/feed/feed-event';
import { FeedSet } from '../src/feed/feed-set';
import { BYTES_PER_REVOKED_ENTRY } from '../src/feed/feed-stats';
import { flag, numberFlag, writeReport } from './support/cli';
import { commandLine, machineLine } from './support/machine';

const HANDLES = Math.round(numberFlag('handles', 1_000_000));
const BATCH = Math.round(numberFlag('batch', 1));
const OUT = flag('out') || undefined;
const VALIDITY_MS = 3600_000;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function main(): void {
  const set = new FeedSet(0);
  const before = heap();
  const rssBefore = process.memoryUsage().rss;
  const start = Date.now();
  const t0 = performance.now();
  let seq = 0;
  let probe = '';
  for (let i = 0; i < HANDLES; i += BATCH) {
    const handles = Array.from({ length: Math.min(BATCH, HANDLES - i) }, () => randomUUID());
    // One message as a transport delivers it, then decoded and applied as the receiver does.
    const text = encodeFeedMessage(++seq, encodeFeedEvent({ kind: 'revoked', handles, until: start + VALIDITY_MS + (i >> 10) }, start));
    const message = decodeFeedMessage(text)!;
    const event = decodeFeedEvent(message.body!)!;
    if (event.kind !== 'revoked') throw new Error('bad event');
    for (const handle of event.handles) set.add(handle, event.until);
    if (i === HANDLES >> 1) probe = event.handles[0];
  }
  const addMs = performance.now() - t0;
  const after = heap();
  const rssAfter = process.memoryUsage().rss;
  const perEntry = (after - before) / set.size;

  // The per-request lookup: hits (a revoked handle) and misses (any other session).
  const lookups = 1_000_000;
  const misses = Array.from({ length: 1000 }, () => randomUUID());
  const now = start + 1000;
  let found = 0;
  const t1 = performance.now();
  for (let i = 0; i < lookups; i++) found += set.has(i & 1 ? probe : misses[i % 1000], now) ? 1 : 0;
  const lookupNs = ((performance.now() - t1) * 1e6) / lookups;
  if (found !== lookups / 2) throw new Error(`lookup found ${found}`);

  // Everything expired: pruned in slices (the feed's timer drops at most PRUNE_SLICE per tick).
  const t2 = performance.now();
  let dropped = 0;
  let slices = 0;
  let longestSliceMs = 0;
  for (;;) {
    const s0 = performance.now();
    const n = set.prune(start + VALIDITY_MS + HANDLES);
    longestSliceMs = Math.max(longestSliceMs, performance.now() - s0);
    if (n === 0) break;
    dropped += n;
    slices++;
  }
  const pruneMs = performance.now() - t2;
  const emptied = heap();

  const estimate = BYTES_PER_REVOKED_ENTRY + 36;
  const budgetMb = 128;
  const lines = [
    `# Revocation feed: memory of ${HANDLES.toLocaleString('en')} revoked handles (${BATCH} per message)`,
    '',
    machineLine(),
    commandLine('feed-memory.js'),
    gc ? 'forced GC before each reading' : 'WARNING: run with --expose-gc for stable figures',
    '',
    `| measure | value |`,
    `| --- | --- |`,
    `| revoked handles held | ${set.size + dropped === HANDLES ? HANDLES.toLocaleString('en') : `${(set.size + dropped).toLocaleString('en')} (expected ${HANDLES})`} |`,
    `| heap growth | ${((after - before) / MB).toFixed(1)} MB (budget: ${budgetMb} MB per million: ${(after - before) / MB <= (budgetMb * HANDLES) / 1e6 ? 'within' : 'OVER'}) |`,
    `| per handle | ${perEntry.toFixed(0)} bytes (stats() estimate: ${estimate} bytes for a 36-character UUID) |`,
    `| RSS growth | ${((rssAfter - rssBefore) / MB).toFixed(1)} MB |`,
    `| receive + decode + add | ${addMs.toFixed(0)} ms (${((addMs * 1e3) / HANDLES).toFixed(2)} µs per handle) |`,
    `| lookup (per request) | ${lookupNs.toFixed(0)} ns |`,
    `| prune of all expired | ${pruneMs.toFixed(0)} ms in ${slices} slices (longest ${longestSliceMs.toFixed(0)} ms); heap after: ${((emptied - before) / MB).toFixed(1)} MB above the start |`,
  ];
  writeReport(lines.join('\n') + '\n', OUT);
}

main();
