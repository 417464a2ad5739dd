/**
 * One server of the throughput race: a Nest app whose only route is `GET /hello` →
 * `{"hello":"world"}`, guarded according to the variant (`throughput-variants.ts`), listening on
 * 127.0.0.1.
 *
 * Under the orchestrator (`bench/throughput.ts` forks one per adapter × variant, pinned to the
 * server core) it talks over IPC: it reports `{ type: 'ready', port }`, answers `{ type: 'cpu' }`
 * with its CPU time so far, starts the profiler on `{ type: 'profile-start', file }` and, on
 * `{ type: 'stop' }`, writes the profile (if started), closes the app and exits.
 *
 * By hand, to profile one variant under a load of your own:
 *
 *   node build/bench/throughput-server.js express ours --cpu-prof /tmp/ours.cpuprofile [--port 3000]
 *   (prints the URL and a token; load it, e.g. npx autocannon -H "authorization=Bearer <token>" URL;
 *    Ctrl-C writes the profile; node build/bench/throughput-profile.js /tmp/ours.cpuprofile summarises it)
 *
 * A variant of our module opens the SQLite file of `BENCH_SQLITE_FILE` (by hand: a fresh temporary
 * one, and the server mints the token it prints); the jose and passport variants read our public
 * key from `BENCH_PUBLIC_JWK`; the SuperTokens variant needs `BENCH_SUPERTOKENS_CORE`.
 */
import 'reflect-metadata';
import { type INestApplication, Module, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { plugin as supertokensFastifyPlugin } from 'supertokens-node/framework/fastify';
import { SessionService } from '../src';
import { flag } from './support/cli';
import { CpuProfiler } from './throughput-profiler';
import {
  BareController,
  guardedController,
  initSuperTokens,
  joseGuard,
  jwtStrategy,
  NoopGuard,
  OursController,
  PassportController,
  SuperTokensExpressGuard,
  SuperTokensExpressMiddlewareModule,
  SuperTokensFastifyGuard,
} from './throughput-guards';
import { BenchFlagClaim, benchSessionModule } from './throughput-tokens';
import { ADAPTERS, SERVER_ENV, VARIANTS, type Adapter, type Variant } from './throughput-variants';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function metadataFor(adapter: Adapter, variant: Variant, databaseFile: string | undefined): ModuleMetadata {
  const ours = (options = {}) => benchSessionModule(databaseFile!, options);
  switch (variant) {
    case 'bare':
      return { controllers: [BareController] };
    case 'module-only':
      return { imports: [ours()], controllers: [BareController] };
    case 'noop':
      return { controllers: [guardedController(NoopGuard)] };
    case 'ours':
    case 'ours-fresh':
      return { imports: [ours()], controllers: [OursController] };
    case 'ours-nocache':
      return { imports: [ours({ verifiedTokenCacheSize: 0 })], controllers: [OursController] };
    case 'ours-claim':
      return { imports: [ours({ globalClaimValidators: [BenchFlagClaim.validators.isTrue()] })], controllers: [OursController] };
    case 'jose':
      return { controllers: [guardedController(joseGuard(SERVER_ENV.publicJwk))] };
    case 'supertokens':
      initSuperTokens(adapter, requiredEnv(SERVER_ENV.supertokensCore));
      // As the guide writes it: `@UseGuards(new AuthGuard())`; on Express its middleware module too.
      return adapter === 'express'
        ? { imports: [SuperTokensExpressMiddlewareModule], controllers: [guardedController(new SuperTokensExpressGuard())] }
        : { controllers: [guardedController(new SuperTokensFastifyGuard())] };
    case 'passport':
    case 'passport-keyobject':
      return { imports: [PassportModule], controllers: [PassportController], providers: [jwtStrategy(SERVER_ENV.publicJwk, variant === 'passport-keyobject')] };
  }
}

async function createApp(adapter: Adapter, variant: Variant, databaseFile: string | undefined): Promise<INestApplication> {
  @Module(metadataFor(adapter, variant, databaseFile))
  class BenchModule {}
  if (adapter === 'express') return NestFactory.create(BenchModule, { logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), { logger: false });
  // SuperTokens' Fastify setup registers its plugin (it serves `/auth/*` and hooks every request).
  if (variant === 'supertokens') await app.register(supertokensFastifyPlugin as never);
  return app;
}

async function main(): Promise<void> {
  const [adapter, variant] = process.argv.slice(2) as [Adapter, Variant];
  if (!ADAPTERS.includes(adapter) || !(variant in VARIANTS)) {
    throw new Error(`usage: throughput-server <${ADAPTERS.join('|')}> <${Object.keys(VARIANTS).join('|')}> [--cpu-prof FILE] [--port N]`);
  }
  const underOrchestrator = typeof process.send === 'function';
  const info = VARIANTS[variant];
  let databaseFile = process.env[SERVER_ENV.database];
  if (info.usesModule && !databaseFile) {
    if (underOrchestrator) throw new Error(`${SERVER_ENV.database} is not set`);
    databaseFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-bench-')), 'sessions.sqlite');
  }

  const app = await createApp(adapter, variant, databaseFile);
  await app.listen(Number(flag('port') ?? 0), '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const profiler = new CpuProfiler();

  if (underOrchestrator) {
    let profileFile: string | undefined;
    process.on('message', (message: { type?: string; file?: string }) => {
      if (message?.type === 'cpu') {
        const usage = process.cpuUsage();
        process.send!({ type: 'cpu', micros: usage.user + usage.system });
      } else if (message?.type === 'profile-start' && message.file) {
        profileFile = message.file;
        void profiler.start().then(() => process.send!({ type: 'profile-started' }));
      } else if (message?.type === 'stop') {
        void (async () => {
          if (profileFile) await profiler.stop(profileFile);
          await app.close().catch(() => undefined);
          process.exit(0);
        })();
      }
    });
    process.on('disconnect', () => process.exit(0));
    process.send!({ type: 'ready', port });
    return;
  }

  // By hand: print what a load generator needs, profile until Ctrl-C.
  const url = `http://127.0.0.1:${port}/hello`;
  console.log(`${adapter}/${variant} listening on ${url}`);
  if (info.usesModule) {
    const session = await app.get(SessionService).createNewSessionWithoutRequestResponse('public', 'bench-user', { name: 'Bench User' });
    console.log(`token: ${session.getAccessToken()}`);
  }
  const profileFile = flag('cpu-prof');
  if (profileFile !== undefined) {
    const file = path.resolve(profileFile || `${adapter}-${variant}.cpuprofile`);
    await profiler.start();
    console.log(`profiling; Ctrl-C writes ${file}`);
    const finish = async () => {
      await profiler.stop(file);
      await app.close().catch(() => undefined);
      console.log(`profile written: ${file}`);
      process.exit(0);
    };
    process.once('SIGINT', () => void finish());
    process.once('SIGTERM', () => void finish());
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
