/**
 * Memory benchmark (issue 12): RSS after 1,000,000 verifications of 100,000 distinct access
 * tokens against RSS after warm-up (target: within 50 MB), with the module's defaults (verified-
 * token cache of 10,000 entries on), through the public verify path
 * (`getSessionWithoutRequestResponse`, what the guard runs minus the HTTP layer).
 *
 *   npm run bench:memory                     (builds, then node --expose-gc build/bench/memory.js)
 *   node --expose-gc build/bench/memory.js --tokens 100000 --verifications 1000000 --algorithm RS256 --out FILE
 *   --quick: 20,000 tokens, 200,000 verifications. --burst N (10): requests per token visit.
 *
 * Steps: mint the tokens (one session each, SQLite in memory: the rows and the token strings stay
 * alive for the whole run, so they weigh the same in both readings); warm-up = one verification
 * of every token; GC; read RSS and heap; then the verifications in bursts, as clients send them:
 * a token picked at random (a fixed seed) is verified `--burst` times in a row (the first of a
 * burst is usually a cache miss, the others hits; `--burst 1` makes nearly every verification a
 * miss and the run ten times longer), RSS sampled every 10%; GC; read again. Without `--expose-gc` the readings are taken
 * without a forced collection (noisier).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SessionModule, SessionService, type SigningAlgorithm } from '../src';
import { flag, writeReport, numberFlag, progress, QUICK } from './support/cli';
import { commandLine, machineLine, sourceVersion } from './support/machine';
import { fmtFixed, fmtInt } from './support/stats';

const TOKENS = Math.round(numberFlag('tokens', QUICK ? 20_000 : 100_000));
const VERIFICATIONS = Math.round(numberFlag('verifications', QUICK ? 200_000 : 1_000_000));
const ALGORITHM = (flag('algorithm') || 'RS256') as SigningAlgorithm;
const BURST = Math.round(numberFlag('burst', 10));
const OUT = flag('out') || undefined;
const LIMIT_MB = 50;

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface Reading {
  rss: number;
  heapUsed: number;
  external: number;
}

function read(): Reading {
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}

/** Deterministic pseudo-random indexes (a 32-bit LCG), so runs pick the same sequence. */
function* randomIndexes(count: number, bound: number): Generator<number> {
  let state = 0x2545f491;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield state % bound;
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  @Module({
    imports: [SessionModule.forRoot({ database: { type: 'better-sqlite3', database: ':memory:' }, signingAlgorithm: ALGORITHM, cleanupInterval: 0 })],
  })
  class MemoryBenchModule {}
  const app = await NestFactory.createApplicationContext(MemoryBenchModule, { logger: false });
  try {
    const sessions = app.get(SessionService);
    const atStart = read();
    progress(`minting ${fmtInt(TOKENS)} ${ALGORITHM} tokens`);
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      tokens.push((await sessions.createNewSessionWithoutRequestResponse('public', `memory-user-${i}`, { name: 'Bench User' })).getAccessToken());
      if ((i + 1) % 20_000 === 0) progress(`  ${fmtInt(i + 1)} minted`);
    }
    const minted = read();
    progress('warm-up: one verification of every token');
    for (const token of tokens) await sessions.getSessionWithoutRequestResponse(token);
    const warm = read();
    progress(`${fmtInt(VERIFICATIONS)} verifications`);
    const samples: number[] = [];
    const every = Math.ceil(VERIFICATIONS / 10);
    let done = 0;
    const started = process.hrtime.bigint();
    for (const i of randomIndexes(Math.ceil(VERIFICATIONS / BURST), tokens.length)) {
      for (let b = 0; b < BURST && done < VERIFICATIONS; b++) {
        await sessions.getSessionWithoutRequestResponse(tokens[i]);
        if (++done % every === 0) {
          samples.push(process.memoryUsage().rss);
          progress(`  ${fmtInt(done)}: RSS ${fmtFixed(process.memoryUsage().rss / MB, 1)} MB`);
        }
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const end = read();
    // The tokens must outlive the last reading (a dead array would be collected and shrink it).
    if (tokens.length !== TOKENS) throw new Error('token pool changed');
    const delta = (end.rss - warm.rss) / MB;
    const mb = (n: number) => fmtFixed(n / MB, 1);
    const lines = [
      `## Memory, ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
      '',
      `Command: \`${commandLine('memory.js')}\`${gc ? ' (with --expose-gc: readings after a forced GC)' : ' (**without --expose-gc: no forced GC before readings**)'}`,
      '',
      `${machineLine()}. ${fmtInt(TOKENS)} distinct ${ALGORITHM} tokens (one session each), ${fmtInt(VERIFICATIONS)} verifications in bursts of ${BURST} per randomly picked token ` +
        `(${fmtInt(VERIFICATIONS / seconds)} verifications/s), module defaults (verified-token cache of 10,000 entries).`,
      '',
      '| Reading | RSS MB | heap used MB | external + array buffers MB |',
      '| --- | ---: | ---: | ---: |',
      `| app started | ${mb(atStart.rss)} | ${mb(atStart.heapUsed)} | ${mb(atStart.external)} |`,
      `| tokens minted | ${mb(minted.rss)} | ${mb(minted.heapUsed)} | ${mb(minted.external)} |`,
      `| after warm-up (every token verified once) | ${mb(warm.rss)} | ${mb(warm.heapUsed)} | ${mb(warm.external)} |`,
      `| after ${fmtInt(VERIFICATIONS)} verifications | ${mb(end.rss)} | ${mb(end.heapUsed)} | ${mb(end.external)} |`,
      '',
      `RSS growth after warm-up: **${fmtFixed(delta, 1)} MB** (target ≤ ${LIMIT_MB} MB: ${delta <= LIMIT_MB ? '✅' : '❌'}); ` +
        `heap growth ${fmtFixed((end.heapUsed - warm.heapUsed) / MB, 1)} MB; highest RSS sampled during the run ${mb(Math.max(...samples))} MB.`,
      '',
    ];
    const text = lines.join('\n') + '\n';
    writeReport(text, OUT);
  } finally {
    await app.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
