import type { INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { SessionModule } from '../../src';
import {
  ConfigSessionOptions,
  ConfigStylesController,
  configModule,
  FactoryStateController,
  FeatureModule,
  optionsFromConfig,
  SessionOptionsModule,
} from '../fixtures/config-styles.app';
import { testDatabaseOptions } from '../support/database';
import { createTestApp } from '../support/platforms';
import { headerTokens } from '../support/tokens';

/**
 * Rule: every configuration style Nest users expect configures the module — `forRootAsync` with
 * `useFactory` + `inject` (`ConfigService` of `@nestjs/config`), `useClass`, `useExisting` — and
 * `isGlobal` decides whether modules that do not import `SessionModule` can inject its service.
 * Each style is proven by what a client sees: the issuer and lifetime of the access token it gets.
 */

async function signIn(app: INestApplication, userId = 'config-user') {
  const res = await request(app.getHttpServer()).post('/login').send({ userId }).expect(201);
  return headerTokens(res).access;
}

async function tokenOf(app: INestApplication, access: string) {
  const res = await request(app.getHttpServer()).get('/token').set('Authorization', `Bearer ${access}`).expect(200);
  return res.body as { userId: string; iss: string; lifetime: number };
}

describe('configuration styles', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('useFactory + inject: ConfigService from @nestjs/config feeds the options', async () => {
    app = await createTestApp('express', {
      imports: [
        configModule(),
        SessionModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => optionsFromConfig(config),
        }),
      ],
      controllers: [ConfigStylesController],
    });
    const access = await signIn(app);
    expect(await tokenOf(app, access)).toEqual({ userId: 'config-user', iss: 'issuer-from-config', lifetime: 150 });
  });

  it('useFactory + inject: an async factory over a global ConfigModule', async () => {
    app = await createTestApp('express', {
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ SESSION_ISSUER: 'global-config', SESSION_ACCESS_TOKEN_VALIDITY: 75 })] }),
        SessionModule.forRootAsync({
          inject: [ConfigService],
          useFactory: async (config: ConfigService) => optionsFromConfig(config),
        }),
      ],
      controllers: [ConfigStylesController],
    });
    const access = await signIn(app);
    expect(await tokenOf(app, access)).toMatchObject({ iss: 'global-config', lifetime: 75 });
  });

  it('useClass: the module builds its own instance of a SessionOptionsFactory class', async () => {
    const before = ConfigSessionOptions.instances;
    app = await createTestApp('express', {
      imports: [configModule(), SessionModule.forRootAsync({ imports: [ConfigModule], useClass: ConfigSessionOptions })],
      controllers: [ConfigStylesController],
    });
    const access = await signIn(app);
    expect(await tokenOf(app, access)).toMatchObject({ iss: 'issuer-from-config+class', lifetime: 150 });
    expect(ConfigSessionOptions.instances - before).toBe(1);
  });

  it('useExisting: the module reuses the instance the app already provides (one instance, called once)', async () => {
    const before = ConfigSessionOptions.instances;
    app = await createTestApp('express', {
      imports: [configModule(), SessionOptionsModule, SessionModule.forRootAsync({ imports: [SessionOptionsModule], useExisting: ConfigSessionOptions })],
      controllers: [ConfigStylesController, FactoryStateController],
    });
    const access = await signIn(app);
    expect(await tokenOf(app, access)).toMatchObject({ iss: 'issuer-from-config+class', lifetime: 150 });
    // The app's own instance (injected in its controller) is the one the module called.
    const state = await request(app.getHttpServer()).get('/factory').expect(200);
    expect(state.body.calls).toBe(1);
    expect(ConfigSessionOptions.instances - before).toBe(1);
  });

  it('isGlobal (the default): a feature module that does not import SessionModule injects SessionService', async () => {
    app = await createTestApp('express', {
      imports: [SessionModule.forRoot({ database: testDatabaseOptions(), cleanupInterval: 0 }), FeatureModule],
      controllers: [ConfigStylesController],
    });
    const access = await signIn(app, 'feature-user');
    const res = await request(app.getHttpServer()).get('/feature').set('Authorization', `Bearer ${access}`).expect(200);
    expect(res.body).toEqual({ userId: 'feature-user', handles: 1 });
    await request(app.getHttpServer()).get('/feature').expect(401);
  });

  it('isGlobal: true with forRootAsync behaves the same', async () => {
    app = await createTestApp('express', {
      imports: [
        configModule(),
        SessionModule.forRootAsync({ isGlobal: true, imports: [ConfigModule], inject: [ConfigService], useFactory: (c: ConfigService) => optionsFromConfig(c) }),
        FeatureModule,
      ],
      controllers: [ConfigStylesController],
    });
    const access = await signIn(app, 'feature-user');
    const res = await request(app.getHttpServer()).get('/feature').set('Authorization', `Bearer ${access}`).expect(200);
    expect(res.body).toEqual({ userId: 'feature-user', handles: 1 });
  });

  it('isGlobal: false keeps SessionService to the importing module: a feature module without the import fails to start', async () => {
    const compile = Test.createTestingModule({
      imports: [SessionModule.forRoot({ isGlobal: false, database: { type: 'better-sqlite3', database: ':memory:' }, cleanupInterval: 0 }), FeatureModule],
    }).compile();
    await expect(compile).rejects.toThrow(/SessionService/);
  });

  it('isGlobal: false still serves the module that imports it', async () => {
    app = await createTestApp('express', {
      imports: [configModule(), SessionModule.forRootAsync({ isGlobal: false, imports: [ConfigModule], useClass: ConfigSessionOptions })],
      controllers: [ConfigStylesController],
    });
    const access = await signIn(app);
    expect(await tokenOf(app, access)).toMatchObject({ iss: 'issuer-from-config+class' });
  });
});
