/**
 * Guard microbenchmark: `canActivate` calls per second of CPU time on one core, without HTTP, for the no-op
 * async guard (Nest's floor), our AuthGuard with a steady-state token (cache hit) and with the
 * cache off, each given a Nest `ExecutionContext` for a real controller method, as Nest's guard
 * consumer builds it. Where the HTTP race mixes the guard with sockets, parsing and the
 * adapter, this isolates the guard's own path, and `--cpu-prof FILE` profiles only the
 * steady-state loop of our guard, so the profile summary says where the guard's µs go.
 *
 *   npm run bench:guard                      (builds, then node build/bench/guard.js)
 *   node build/bench/guard.js --rounds 5 --duration 1 --cpu 0 --cpu-prof /tmp/guard.cpuprofile --out FILE
 *   --request plain|express|both (both): request objects as literals, or made as Express makes them.
 *   --quick: 2 short rounds.
 */
import 'reflect-metadata';
import { type CanActivate, Controller, Get, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { AuthGuard, SessionModule, SessionService } from '../src';
import { flag, writeReport, numberFlag, progress, QUICK } from './support/cli';
import { canPin, commandLine, cpuMicros, machineLine, pinSelf, sourceVersion } from './support/machine';
import { fmtFixed, fmtInt, fmtRatio, median } from './support/stats';
import { formatProfileSummary, summarizeProfile } from './throughput-profile';
import { CpuProfiler } from './throughput-profiler';

const ROUNDS = Math.round(numberFlag('rounds', QUICK ? 2 : 5));
const DURATION = numberFlag('duration', QUICK ? 0.3 : 1);
const CPU = Number(flag('cpu') ?? 0);
const PROFILE = flag('cpu-prof');
const OUT = flag('out') || undefined;
/** `--request plain|express|both` (both): the request objects' shape (see {@link RequestShape}). */
const SHAPES: RequestShape[] = ((): RequestShape[] => {
  const wanted = flag('request') ?? 'both';
  if (wanted === 'both') return ['plain', 'express'];
  if (wanted === 'plain' || wanted === 'express') return [wanted];
  throw new Error(`--request must be plain, express or both, not ${wanted}`);
})();

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

/** How the request object is made: a plain object (a stable hidden class, like Fastify's requests) or as Express makes it. */
type RequestShape = 'plain' | 'express';

interface Contender {
  name: string;
  guard: CanActivate;
  token: string;
  shape: RequestShape;
}

/**
 * Express's `app.request`: every request's prototype is set to it (`Object.setPrototypeOf(req,
 * app.request)` in `app.handle`), which gives each request a hidden class of its own, so a
 * property added to a request copies its map (bench/RESULTS.md, "Express requests").
 */
const expressRequestPrototype: object = Object.create(IncomingMessage.prototype);

/**
 * The `Authorization` value, a flat string as Node's HTTP parser makes it. (A template literal
 * made per call is a rope: the guard's first read of it flattened it, a ~1 KB copy per call that
 * a real request does not pay, charged to our guard alone since the no-op guard never reads it.)
 */
const authorizations = new Map<string, string>();
function authorizationOf(token: string): string {
  let header = authorizations.get(token);
  if (header === undefined) {
    header = Buffer.from(`Bearer ${token}`, 'latin1').toString('latin1');
    authorizations.set(token, header);
  }
  return header;
}

/** A fresh request (as every HTTP request is) with the token, and its context for `HelloController.hello`. */
function contextFor(token: string, shape: RequestShape): ExecutionContextHost {
  const headers = { authorization: authorizationOf(token), host: '127.0.0.1' };
  const response: Record<string, unknown> = { setHeader() {}, getHeader() {}, header() {} };
  let request: object;
  if (shape === 'plain') {
    request = { headers, method: 'GET', url: '/hello' };
  } else {
    // As Node and Express 5 make it (`app.handle`): an IncomingMessage, `req.res`, the prototype
    // set, `res.locals`, then the router's properties.
    const message = new IncomingMessage(new Socket());
    message.headers = headers;
    message.method = 'GET';
    message.url = '/hello';
    Object.assign(message, { res: response });
    Object.setPrototypeOf(message, expressRequestPrototype);
    response.locals = Object.create(null);
    Object.assign(message, { baseUrl: '', originalUrl: '/hello', params: {} });
    request = message;
  }
  const context = new ExecutionContextHost([request, response, () => undefined], HelloController, HelloController.prototype.hello);
  context.setType('http');
  return context;
}

/** Calls per second of CPU time (a shared core's descheduled stretches do not count), over `seconds` of CPU. */
async function callsPerSecond(contender: Contender, seconds: number): Promise<number> {
  const batch = 64;
  let calls = 0;
  const start = cpuMicros();
  let used = 0;
  while (used < seconds * 1e6) {
    for (let k = 0; k < batch; k++) await contender.guard.canActivate(contextFor(contender.token, contender.shape));
    calls += batch;
    used = cpuMicros() - start;
  }
  return calls / (used / 1e6);
}

async function openApp(cacheSize?: number) {
  @Module({
    imports: [SessionModule.forRoot({ database: { type: 'better-sqlite3', database: ':memory:' }, cleanupInterval: 0, verifiedTokenCacheSize: cacheSize })],
    controllers: [HelloController],
  })
  class GuardBenchModule {}
  const app = await NestFactory.createApplicationContext(GuardBenchModule, { logger: false });
  const sessions = app.get(SessionService);
  const token = (await sessions.createNewSessionWithoutRequestResponse('public', 'bench-user', { name: 'Bench User' })).getAccessToken();
  // As Nest instantiates `@UseGuards(AuthGuard)`: its optional dependencies from the module.
  return { app, token, guard: new AuthGuard(undefined, app.get(Reflector), sessions) };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const pin = canPin();
  if (pin) pinSelf(CPU);
  const cached = await openApp();
  const uncached = await openApp(0);
  try {
    const contenders: Contender[] = SHAPES.flatMap((shape) => {
      const of = shape === 'plain' ? '' : ', Express-shaped request';
      return [
        { name: `no-op async guard${of}`, guard: { canActivate: async () => true }, token: cached.token, shape },
        { name: `our AuthGuard, steady-state token (cache hit)${of}`, guard: cached.guard, token: cached.token, shape },
        { name: `our AuthGuard, cache off (verify every call)${of}`, guard: uncached.guard, token: uncached.token, shape },
      ];
    });
    for (const c of contenders) await callsPerSecond(c, DURATION / 2); // warm-up (JIT)
    const calls = contenders.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (let j = 0; j < contenders.length; j++) {
        const i = (j + round) % contenders.length;
        calls[i].push(await callsPerSecond(contenders[i], DURATION));
      }
      progress(`round ${round + 1}/${ROUNDS}: ${contenders.map((c, i) => `${c.name} ${fmtInt(calls[i][round])}`).join(', ')}`);
    }
    const lines = [
      `## Guard microbenchmark, ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
      '',
      `Command: \`${commandLine('guard.js')}\``,
      '',
      `${machineLine()}; ${pin ? `pinned to CPU ${CPU}` : 'not pinned'}. ${ROUNDS} rounds × ${DURATION} s of CPU time per guard, rates per second of CPU time (process.cpuUsage), so time the process spends descheduled does not count; every call gets a new request object and ExecutionContext. Plain requests are object literals (a stable hidden class, as Fastify's are); Express-shaped ones are made as Express makes them (an IncomingMessage whose prototype is then set), each with a hidden class of its own.`,
      '',
      '| Guard | calls/s | µs/call | µs/call beyond the no-op guard |',
      '| --- | ---: | ---: | ---: |',
    ];
    contenders.forEach((c, i) => {
      // Against the no-op guard given requests of the same shape (the first of each group of three).
      const floor = i - (i % 3);
      const extra = median(calls[i].map((n, round) => 1e6 / n - 1e6 / calls[floor][round]));
      lines.push(`| ${c.name} | ${fmtInt(median(calls[i]))} | ${fmtFixed(1e6 / median(calls[i]))} | ${i === floor ? '–' : fmtFixed(extra)} |`);
    });
    lines.push('');
    SHAPES.forEach((shape, k) => {
      const ratio = fmtRatio(median(calls[3 * k + 1].map((n, r) => n / calls[3 * k][r])));
      lines.push(`Steady-state guard ÷ no-op guard, calls/s, ${shape === 'plain' ? 'plain' : 'Express-shaped'} requests: ${ratio}.`);
    });
    lines.push('');
    if (PROFILE !== undefined) {
      const file = PROFILE || 'guard-steady-state.cpuprofile';
      const profiler = new CpuProfiler();
      await profiler.start();
      const rate = await callsPerSecond(contenders[1], DURATION * 3);
      await profiler.stop(file);
      lines.push('```', ...formatProfileSummary(`steady-state AuthGuard.canActivate loop (${file})`, summarizeProfile(file, 25), 1e6 / rate), '```', '');
    }
    const text = lines.join('\n') + '\n';
    writeReport(text, OUT);
  } finally {
    await cached.app.close();
    await uncached.app.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
