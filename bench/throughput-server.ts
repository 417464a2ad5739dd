/**
 * One server of the throughput benchmark (`bench/throughput.ts` forks one of these per
 * adapter × variant; not meant to be run by hand). It builds a Nest app whose only route is
 * `GET /hello` → `{"hello":"world"}`, guarded according to the variant, listens on an ephemeral
 * port of 127.0.0.1 and reports `{ type: 'ready', port, token?, jwks? }` to the parent over IPC.
 * It answers `{ type: 'cpu' }` with its CPU time so far (`{ type: 'cpu', micros }`), starts the
 * V8 sampling profiler on `{ type: 'profile-start', dir }` (answering `{ type: 'profile-started' }`;
 * the profile covers the measured rounds only, not start-up and warm-up) and on `{ type: 'stop' }`
 * writes the profile to `dir/<adapter>-<variant>.cpuprofile`, closes the app and exits.
 *
 * Arguments: `<adapter> <variant>`; the passport variant reads the PEM of the public key it
 * verifies with from `BENCH_PUBLIC_KEY_PEM`.
 */
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, UseGuards, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { Session as InspectorSession } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthGuard, BooleanClaim, SessionModule, type SessionModuleOptions, SessionService } from '../src';
import { ADAPTERS, VARIANTS, type Adapter, type Variant } from './throughput-variants';

/** Every session of every `ours*` variant carries this claim (true), so all their tokens have the same shape. */
const BenchFlagClaim = new BooleanClaim({ key: 'bench-flag', fetchValue: () => true });

// ---- the same route, four ways ------------------------------------------------------------

const BODY = { hello: 'world' };

@Controller()
class BareController {
  @Get('hello')
  hello() {
    return BODY;
  }
}

@Controller()
class OursController {
  @Get('hello')
  @UseGuards(AuthGuard)
  hello() {
    return BODY;
  }
}

@Controller()
class PassportController {
  @Get('hello')
  @UseGuards(PassportAuthGuard('jwt'))
  hello() {
    return BODY;
  }
}

/**
 * The documented passport-jwt setup: bearer token, RS256 only, the public key as a PEM string
 * (jsonwebtoken then imports the PEM on every verification). The `passport-keyobject` variant
 * passes an imported `KeyObject` instead, which jsonwebtoken accepts and uses as is.
 */
@Injectable()
class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor() {
    const pem = process.env.BENCH_PUBLIC_KEY_PEM;
    if (!pem) throw new Error('BENCH_PUBLIC_KEY_PEM is not set');
    const key = process.argv[3] === 'passport-keyobject' ? (createPublicKey(pem) as unknown as string) : pem;
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: key, algorithms: ['RS256'], ignoreExpiration: false });
  }

  validate(payload: { sub: string; sessionHandle?: string }) {
    return { userId: payload.sub, sessionHandle: payload.sessionHandle };
  }
}

function sessionModule(options: SessionModuleOptions) {
  return SessionModule.forRoot({
    database: { type: 'better-sqlite3', database: ':memory:' },
    cleanupInterval: 0,
    claimsToAddOnCreate: [BenchFlagClaim],
    ...options,
  });
}

function metadataFor(variant: Variant): ModuleMetadata {
  switch (variant) {
    case 'bare':
      return { controllers: [BareController] };
    case 'module-only':
      return { imports: [sessionModule({})], controllers: [BareController] };
    case 'ours':
      return { imports: [sessionModule({})], controllers: [OursController] };
    case 'ours-nocache':
      return { imports: [sessionModule({ verifiedTokenCacheSize: 0 })], controllers: [OursController] };
    case 'ours-claim':
      return { imports: [sessionModule({ globalClaimValidators: [BenchFlagClaim.validators.isTrue()] })], controllers: [OursController] };
    case 'passport':
    case 'passport-keyobject':
      return { imports: [PassportModule], controllers: [PassportController], providers: [JwtStrategy] };
  }
}

/** Sampling interval of `--cpu-prof` runs (V8's default is 1000 µs; a guard costs tens of µs). */
const PROFILE_SAMPLING_MICROS = 200;

function post(session: InspectorSession, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
}

async function main(): Promise<void> {
  const [adapter, variant] = process.argv.slice(2) as [Adapter, Variant];
  if (!ADAPTERS.includes(adapter) || !(variant in VARIANTS)) throw new Error(`usage: throughput-server <adapter> <variant>, not ${adapter} ${variant}`);

  @Module(metadataFor(variant))
  class BenchModule {}

  let app: INestApplication;
  if (adapter === 'fastify') {
    app = await NestFactory.create<NestFastifyApplication>(BenchModule, new FastifyAdapter(), { logger: false });
  } else {
    app = await NestFactory.create(BenchModule, { logger: false });
  }
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;

  let token: string | undefined;
  let jwks: unknown;
  if (VARIANTS[variant].mintsToken) {
    const sessions = app.get(SessionService);
    const session = await sessions.createNewSessionWithoutRequestResponse('public', 'bench-user', { name: 'Bench User' });
    token = session.getAllSessionTokensDangerously().accessToken;
    jwks = sessions.getJWKS();
  }

  let profiler: { session: InspectorSession; dir: string } | undefined;
  process.on('message', (message: { type?: string; dir?: string }) => {
    if (message?.type === 'cpu') {
      const usage = process.cpuUsage();
      process.send!({ type: 'cpu', micros: usage.user + usage.system });
    } else if (message?.type === 'profile-start' && message.dir) {
      const session = new InspectorSession();
      session.connect();
      profiler = { session, dir: message.dir };
      void post(session, 'Profiler.enable')
        .then(() => post(session, 'Profiler.setSamplingInterval', { interval: PROFILE_SAMPLING_MICROS }))
        .then(() => post(session, 'Profiler.start'))
        .then(() => process.send!({ type: 'profile-started' }));
    } else if (message?.type === 'stop') {
      void (async () => {
        if (profiler) {
          const { profile } = (await post(profiler.session, 'Profiler.stop')) as { profile: unknown };
          fs.writeFileSync(path.join(profiler.dir, `${adapter}-${variant}.cpuprofile`), JSON.stringify(profile));
        }
        await app.close().catch(() => undefined);
        process.exit(0);
      })();
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', port, token, jwks });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
