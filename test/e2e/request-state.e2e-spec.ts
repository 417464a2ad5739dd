import {
  Controller,
  Get,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  Post,
  Req,
  Res,
  Session as NestSession,
  UseGuards,
} from '@nestjs/common';
import request from 'supertest';
import { AuthGuard, Session, type SessionContainer, SessionModule, SessionService, VerifySession } from '../../src';
import { testDatabaseOptions } from '../support/database';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { headerTokens } from '../support/tokens';

/**
 * Where the guard leaves the verified session, seen from a handler. On Express the module's slot
 * lives in `res.locals` (adding a property to an Express request copies its hidden class: see
 * `src/http/request-state.ts`), so these tests pin down what users can see: `@Session()`, Nest's
 * own `@Session()` and `req.session` give the session; nothing enumerable appears in `res.locals`,
 * which Express spreads into a view's options; two guards on one route still verify once.
 */
@Controller()
class StateController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  async login(@Req() req: unknown, @Res({ passthrough: true }) res: unknown) {
    await this.sessions.createNewSession(req, res, 'public', 'state-user');
    return {};
  }

  @Get('seen')
  @UseGuards(AuthGuard)
  seen(
    @Session() session: SessionContainer,
    @NestSession() nestSession: SessionContainer,
    @Req() req: { session?: SessionContainer; raw?: object },
    @Res({ passthrough: true }) res: { locals?: object },
  ) {
    const locals = res.locals;
    return {
      ours: session.getUserId(),
      nests: nestSession.getUserId(),
      reqSession: req.session?.getUserId(),
      sameObject: session === req.session,
      // What a view would get from Express's `{ ...res.locals }` (none on Fastify).
      localsKeys: locals === undefined ? null : Reflect.ownKeys({ ...locals }).map(String),
      localsEnumerable: locals === undefined ? null : Object.keys(locals),
    };
  }

  @Get('twice')
  @UseGuards(AuthGuard)
  @VerifySession()
  twice(@Session('userId') userId: string) {
    return { userId };
  }

  @Get('open')
  open(@Req() req: { session?: unknown }) {
    return { hasSession: req.session !== undefined };
  }
}

describe.each(PLATFORMS)('the verified session as handlers see it (%s)', (platform) => {
  let app: INestApplication;
  let verifications = 0;
  beforeAll(async () => {
    app = await createTestApp(platform, {
      imports: [SessionModule.forRoot({ database: testDatabaseOptions(), verifiedTokenCacheSize: 0 })],
      controllers: [StateController],
    });
    // Count verifications: a second metadata-only guard on one route must not verify again.
    const service = app.get(SessionService);
    const verify = service.verifyForRoute.bind(service);
    service.verifyForRoute = ((...args: Parameters<SessionService['verifyForRoute']>) => {
      verifications++;
      return verify(...args);
    }) as SessionService['verifyForRoute'];
  });
  afterAll(() => app.close());

  const token = async () => headerTokens(await request(app.getHttpServer()).post('/login').expect(201)).access;

  it('gives the session to @Session(), Nest\'s @Session() and req.session, and leaves res.locals clean for views', async () => {
    const access = await token();
    const res = await request(app.getHttpServer()).get('/seen').set('Authorization', `Bearer ${access}`).expect(200);
    expect(res.body).toEqual({
      ours: 'state-user',
      nests: 'state-user',
      reqSession: 'state-user',
      sameObject: true,
      localsKeys: platform === 'express' ? [] : null,
      localsEnumerable: platform === 'express' ? [] : null,
    });
  });

  it('verifies once with two metadata-only guards on a route, on every request', async () => {
    const access = await token();
    for (let i = 0; i < 3; i++) {
      const before = verifications;
      await request(app.getHttpServer()).get('/twice').set('Authorization', `Bearer ${access}`).expect(200, { userId: 'state-user' });
      expect(verifications - before).toBe(1);
    }
  });

  it('keeps requests apart: an unguarded request after a guarded one has no session', async () => {
    const access = await token();
    await request(app.getHttpServer()).get('/seen').set('Authorization', `Bearer ${access}`).expect(200);
    await request(app.getHttpServer()).get('/open').set('Authorization', `Bearer ${access}`).expect(200, { hasSession: false });
    // And a guarded request without a token is refused, not served a previous request's session.
    await request(app.getHttpServer()).get('/seen').expect(401);
  });
});

/** Routes behind a middleware that assigns `req.session` first, as express-session does. */
@Controller('mw')
class AssignedFirstController {
  @Get('guarded')
  @UseGuards(AuthGuard)
  guarded(@Req() req: { session?: unknown }, @Session() session: SessionContainer) {
    return { reqSessionIsOurs: req.session === session };
  }

  @Get('open')
  open(@Req() req: { session?: unknown }) {
    return { reqSession: req.session };
  }

  @Get('reassigned')
  @UseGuards(AuthGuard)
  reassigned(@Req() req: { session?: unknown }, @Session('userId') userId: string) {
    req.session = { replacedBy: 'handler' };
    return { reqSession: req.session, userId };
  }
}

@Module({ imports: [SessionModule.forRoot({ database: testDatabaseOptions() })], controllers: [StateController, AssignedFirstController] })
class AssignedFirstModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: { session?: unknown }, _res: unknown, next: () => void) => {
        req.session = { from: 'middleware' };
        next();
      })
      .forRoutes('mw/*path');
  }
}

describe('req.session on Express when other code assigns it too', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp('express', { imports: [AssignedFirstModule] });
  });
  afterAll(() => app.close());

  const token = async () => headerTokens(await request(app.getHttpServer()).post('/login').expect(201)).access;

  it('the guard replaces what a middleware assigned (as before), on every request', async () => {
    const access = await token();
    for (let i = 0; i < 3; i++) {
      await request(app.getHttpServer()).get('/mw/guarded').set('Authorization', `Bearer ${access}`).expect(200, { reqSessionIsOurs: true });
    }
  });

  it('an unguarded route keeps what the middleware assigned, even after guarded requests', async () => {
    const access = await token();
    await request(app.getHttpServer()).get('/seen').set('Authorization', `Bearer ${access}`).expect(200);
    await request(app.getHttpServer()).get('/mw/open').set('Authorization', `Bearer ${access}`).expect(200, { reqSession: { from: 'middleware' } });
    await request(app.getHttpServer()).get('/open').expect(200, { hasSession: false });
  });

  it('a handler that assigns req.session reads back what it assigned', async () => {
    const access = await token();
    await request(app.getHttpServer())
      .get('/mw/reassigned')
      .set('Authorization', `Bearer ${access}`)
      .expect(200, { reqSession: { replacedBy: 'handler' }, userId: 'state-user' });
  });
});
