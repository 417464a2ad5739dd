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
 *   --quick: 2 short rounds.
 */
import 'reflect-metadata';
import { type CanActivate, Controller, Get, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
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

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

interface Contender {
  name: string;
  guard: CanActivate;
  token: string;
}

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
function contextFor(token: string): ExecutionContextHost {
  const request = { headers: { authorization: authorizationOf(token), host: '127.0.0.1' }, method: 'GET', url: '/hello' };
  const response = { setHeader() {}, getHeader() {}, header() {} };
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
    for (let k = 0; k < batch; k++) await contender.guard.canActivate(contextFor(contender.token));
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
    const contenders: Contender[] = [
      { name: 'no-op async guard', guard: { canActivate: async () => true }, token: cached.token },
      { name: 'our AuthGuard, steady-state token (cache hit)', guard: cached.guard, token: cached.token },
      { name: 'our AuthGuard, cache off (verify every call)', guard: uncached.guard, token: uncached.token },
    ];
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
      `${machineLine()}; ${pin ? `pinned to CPU ${CPU}` : 'not pinned'}. ${ROUNDS} rounds × ${DURATION} s of CPU time per guard, rates per second of CPU time (process.cpuUsage), so time the process spends descheduled does not count; every call gets a new request object and ExecutionContext.`,
      '',
      '| Guard | calls/s | µs/call | µs/call beyond the no-op guard |',
      '| --- | ---: | ---: | ---: |',
    ];
    contenders.forEach((c, i) => {
      const extra = median(calls[i].map((n, round) => 1e6 / n - 1e6 / calls[0][round]));
      lines.push(`| ${c.name} | ${fmtInt(median(calls[i]))} | ${fmtFixed(1e6 / median(calls[i]))} | ${i === 0 ? '–' : fmtFixed(extra)} |`);
    });
    lines.push('', `Steady-state guard ÷ no-op guard, calls/s: ${fmtRatio(median(calls[1].map((n, r) => n / calls[0][r])))}.`, '');
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
