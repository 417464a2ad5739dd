import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { basicApp } from '../fixtures/basic.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { headerTokens } from '../support/tokens';

/**
 * The basics work on Express and Fastify: sign in, then read a guarded route with the token.
 */

describe.each(PLATFORMS)('smoke (%s)', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp(platform, basicApp());
  });
  afterAll(() => app.close());

  it('signs in and reads /me in header mode', async () => {
    const login = await request(app.getHttpServer()).post('/login').send({ userId: 'alice' }).expect(201);
    const { access } = headerTokens(login);
    expect(access).toBeDefined();
    const me = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${access}`).expect(200);
    expect(me.body.userId).toBe('alice');
  });
});
