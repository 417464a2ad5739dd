/**
 * Request-pipeline microbenchmark (issue 12): CPU time per request of whole Nest requests,
 * `GET /hello` through the adapter's router, guards and handler, without sockets, for the race's
 * variants, all apps in ONE process, measured in small interleaved batches.
 *
 * Why: on a shared 2-core machine the HTTP race (`throughput.ts`) gives each server process a
 * share of a core that changes from second to second, so its ratios move by ±30% or more and
 * cannot resolve the 3–5% targets. Here every variant runs on the same thread, batch after
 * batch in a rotated order, so they meet the same contention, and only process CPU time is
 * counted. Requests are injected (light-my-request, as `fastify.inject` does; Express's app is a
 * plain `(req, res)` handler), so the socket work of a real request is missing from every
 * variant: a fixed cost the ratios here leave out, so they are *lower* (stricter) than the same
 * work would give over TCP.
 *
 *   npm run build && node dist/bench/pipeline.js [--rounds 15] [--batch 300] [--adapters express,fastify]
 *     [--variants bare,module-only,noop,ours,ours-nocache,ours-fresh,jose,passport-keyobject] [--cpu 0] [--out FILE]
 *
 * `passport` and `passport-keyobject` cannot share a run: passport's strategy registry is
 * process-wide, the second `jwt` strategy would replace the first. `ours-nocache` verifies one
 * token on every request (cache off); `ours-fresh` (not by default: 10,000 + (rounds + 1) × batch
 * tokens, signed from one session's payload by `mintTokens`, ~1 ms each) is never-seen tokens with the
 * cache on: 10,000 tokens first fill the cache (unmeasured), then every measured request carries
 * a token that app has never seen (a miss on a full cache). It never cycles back to a token, so
 * the cache's admission filter cannot turn repeats into hits.
 */
import 'reflect-metadata';
import { type INestApplication, Module, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import inject from 'light-my-request';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeReport, listFlag, numberFlag, progress, QUICK, flag } from './support/cli';
import { canPin, commandLine, cpuMicros, machineLine, pinSelf, sourceVersion } from './support/machine';
import { fmtFixed, fmtRatio, median, verdict } from './support/stats';
import { BareController, guardedController, joseGuard, jwtStrategy, NoopGuard, OursController, PassportController } from './throughput-guards';
import { benchSessionModule, mintTokens } from './throughput-tokens';
import { ADAPTERS, SERVER_ENV, type Adapter } from './throughput-variants';

const VARIANTS = ['bare', 'module-only', 'noop', 'ours', 'ours-nocache', 'ours-fresh', 'jose', 'passport', 'passport-keyobject'] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Variant, string> = {
  bare: 'bare route (no guard)',
  'module-only': 'bare route, SessionModule imported (no guard)',
  noop: 'no-op async guard (Nest guard floor)',
  ours: 'our AuthGuard, steady-state token (cache hit)',
  'ours-nocache': 'our AuthGuard, cache off (every request verifies: never-seen cost)',
  'ours-fresh': 'our AuthGuard, never-seen tokens (cache on, every request a miss)',
  jose: 'minimal jose.jwtVerify guard (key imported once)',
  passport: 'passport-jwt, documented setup (secretOrKey PEM)',
  'passport-keyobject': 'passport-jwt, secretOrKey an imported KeyObject',
};

const ROUNDS = Math.round(numberFlag('rounds', QUICK ? 3 : 15));
const BATCH = Math.round(numberFlag('batch', QUICK ? 100 : 300));
const ADAPTER_LIST = listFlag('adapters', ADAPTERS, ADAPTERS);
const VARIANT_LIST = listFlag('variants', VARIANTS, ['bare', 'module-only', 'noop', 'ours', 'ours-nocache', 'jose', 'passport-keyobject']);
/** Tokens that fill the cache before `ours-fresh` is measured (its default entry bound). */
const FILL = 10_000;
const CPU = Number(flag('cpu') ?? 0);
const OUT = flag('out') || undefined;
if (!VARIANT_LIST.includes('bare')) throw new Error('--variants must include bare');
if (VARIANT_LIST.includes('passport') && VARIANT_LIST.includes('passport-keyobject')) {
  throw new Error('passport and passport-keyobject cannot share a run (one process-wide strategy registry)');
}

type Send = (authorization: string) => Promise<number>;

function metadataFor(variant: Variant, file: string): ModuleMetadata {
  switch (variant) {
    case 'bare':
      return { controllers: [BareController] };
    case 'module-only':
      return { imports: [benchSessionModule(file)], controllers: [BareController] };
    case 'noop':
      return { controllers: [guardedController(NoopGuard)] };
    case 'ours':
    case 'ours-fresh':
      return { imports: [benchSessionModule(file)], controllers: [OursController] };
    case 'ours-nocache':
      return { imports: [benchSessionModule(file, { verifiedTokenCacheSize: 0 })], controllers: [OursController] };
    case 'jose':
      return { controllers: [guardedController(joseGuard(SERVER_ENV.publicJwk))] };
    case 'passport':
    case 'passport-keyobject':
      return { imports: [PassportModule], controllers: [PassportController], providers: [jwtStrategy(SERVER_ENV.publicJwk, variant === 'passport-keyobject')] };
  }
}

/** An initialised app (no listening socket) and a function that injects one `GET /hello`. */
async function start(adapter: Adapter, variant: Variant, file: string): Promise<{ app: INestApplication; send: Send }> {
  @Module(metadataFor(variant, file))
  class PipelineModule {}
  if (adapter === 'express') {
    const app = await NestFactory.create(PipelineModule, { logger: false });
    await app.init();
    const handler = app.getHttpAdapter().getInstance() as (req: unknown, res: unknown) => void;
    const send: Send = async (authorization) => (await inject(handler as never, { method: 'GET', url: '/hello', headers: { authorization } })).statusCode;
    return { app, send };
  }
  const app = await NestFactory.create<NestFastifyApplication>(PipelineModule, new FastifyAdapter(), { logger: false });
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  const send: Send = async (authorization) => (await fastify.inject({ method: 'GET', url: '/hello', headers: { authorization } })).statusCode;
  return { app, send };
}

/** The Authorization header of a variant's next request: the one token, or the pool's next one. */
type NextToken = () => string;

/** CPU µs per request of `batch` sequential requests. */
async function cpuPerRequest(send: Send, next: NextToken, batch: number): Promise<number> {
  const began = cpuMicros();
  for (let i = 0; i < batch; i++) await send(next());
  return (cpuMicros() - began) / batch;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const pinned = canPin() ? (pinSelf(CPU), `pinned to CPU ${CPU}`) : 'not pinned';
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-pipeline-')), 'sessions.sqlite');
  const poolSize = VARIANT_LIST.includes('ours-fresh') ? FILL + (ROUNDS + 1) * BATCH : 0;
  progress(`minting ${poolSize + 1} access tokens`);
  const minted = await mintTokens(file, poolSize, (done) => progress(`minted ${done}/${poolSize}`));
  process.env[SERVER_ENV.publicJwk] = JSON.stringify(minted.jwks.keys[0]);
  const authorization = `Bearer ${minted.single}`;
  const single: NextToken = () => authorization;
  const poolHeaders = minted.pool.map((token) => `Bearer ${token}`);

  const results = new Map<string, number[]>();
  const apps: INestApplication[] = [];
  try {
    for (const adapter of ADAPTER_LIST) {
      const servers: { variant: Variant; send: Send; next: NextToken }[] = [];
      for (const variant of VARIANT_LIST) {
        const { app, send } = await start(adapter, variant, file);
        apps.push(app);
        const status = await send(authorization);
        const refused = await send('Bearer x.y.z');
        const guarded = !['bare', 'module-only', 'noop'].includes(variant);
        if (status !== 200 || (guarded && refused < 400)) throw new Error(`${adapter}/${variant}: answered ${status} to the token, ${refused} to a bad one`);
        let i = 0;
        const next: NextToken = variant === 'ours-fresh' ? () => poolHeaders[i++ % poolHeaders.length] : single;
        // The cache full, as a long-running server's is; the measured requests then take the rest of the pool.
        if (variant === 'ours-fresh') while (i < FILL) await send(next());
        servers.push({ variant, send, next });
        results.set(`${adapter}/${variant}`, []);
      }
      for (const s of servers) await cpuPerRequest(s.send, s.next, BATCH); // warm-up (JIT)
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < servers.length; k++) {
          const s = servers[(k + round) % servers.length];
          results.get(`${adapter}/${s.variant}`)!.push(await cpuPerRequest(s.send, s.next, BATCH));
        }
        if ((round + 1) % 5 === 0 || round + 1 === ROUNDS) progress(`${adapter}: round ${round + 1}/${ROUNDS}`);
      }
    }
  } finally {
    for (const app of apps) await app.close().catch(() => undefined);
  }
  writeReport(report(results, startedAt, pinned), OUT);
}

/** Median over rounds of this variant's µs/request ÷ the reference's, same round: the throughput ratio reference ÷ variant. */
function ratio(results: Map<string, number[]>, adapter: Adapter, variant: Variant, reference: Variant): number | undefined {
  const a = results.get(`${adapter}/${variant}`);
  const b = results.get(`${adapter}/${reference}`);
  if (!a || !b) return undefined;
  return median(a.map((us, i) => b[i] / us));
}

function report(results: Map<string, number[]>, startedAt: Date, pinned: string): string {
  const lines = [
    `## Request-pipeline microbenchmark, ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
    '',
    `Command: \`${commandLine('pipeline.js')}\``,
    '',
    `${machineLine()}; ${pinned}. All apps in one process, requests injected (no sockets), ${ROUNDS} rounds × ${BATCH} sequential requests per variant in a rotated order; CPU time of the process per request. Ratios: median of per-round (reference µs ÷ variant µs), i.e. the throughput ratio on a core of its own, socket work excluded.`,
    '',
    '| Adapter | Variant | CPU µs/req (median) | ÷ bare | ÷ no-op guard |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const adapter of ADAPTER_LIST) {
    for (const variant of VARIANT_LIST) {
      const us = median(results.get(`${adapter}/${variant}`)!);
      const noop = VARIANT_LIST.includes('noop') ? fmtRatio(ratio(results, adapter, variant, 'noop')) : '';
      lines.push(`| ${adapter} | ${LABELS[variant]} | ${fmtFixed(us, 1)} | ${fmtRatio(ratio(results, adapter, variant, 'bare'))} | ${noop} |`);
    }
  }
  lines.push('', '| Issue-12 ratio (socket work excluded: stricter than over TCP) | Express | Fastify | target |', '| --- | ---: | ---: | --- |');
  const row = (name: string, variant: Variant, reference: Variant, target: number, adapters: readonly Adapter[] = ADAPTERS) => {
    if (!VARIANT_LIST.includes(variant) || !VARIANT_LIST.includes(reference)) return;
    const cells = ADAPTERS.map((a) => {
      if (!ADAPTER_LIST.includes(a)) return '';
      const value = ratio(results, a, variant, reference);
      return adapters.includes(a) ? `${fmtRatio(value)} ${verdict(value, target)}` : fmtRatio(value);
    });
    lines.push(`| ${name} | ${cells.join(' | ')} | ≥ ${target}× (${adapters.join(', ')}) |`);
  };
  row('module imported, unguarded route ÷ bare', 'module-only', 'bare', 0.97);
  row('ours, steady state ÷ no-op guard', 'ours', 'noop', 0.95);
  row('ours, cache off (never-seen cost) ÷ bare', 'ours-nocache', 'bare', 0.6, ['express']);
  row('ours, never-seen tokens (cache on, misses) ÷ bare', 'ours-fresh', 'bare', 0.6, ['express']);
  row('ours ÷ passport-jwt (documented, PEM)', 'ours', 'passport', 4);
  row('ours ÷ passport-jwt (KeyObject)', 'ours', 'passport-keyobject', 1.5);
  return lines.join('\n') + '\n';
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
