import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SessionService } from '../../src';
import { createTestSession, TestClock, type TestSession } from '../../src/testing';
import { graphqlApp, planSource, PlanClaim } from '../fixtures/graphql.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { cookieTokens, decodeFrontToken, headerTokens, jwtPayload, setCookie } from '../support/tokens';

/**
 * Rule: GraphQL resolvers get the same sessions as controllers, on Apollo (Express) and Mercurius
 * (Fastify): `AuthGuard`, `@Session()` and `@RequireClaim()` work on resolvers; tokens re-issued
 * during the request (a claim refetched by the guard, a claim set by a mutation) and cleared
 * tokens (an invalid token, a revoked session) are written on the GraphQL HTTP response in the
 * transfer method the request used; a failed check is a GraphQL error whose message and
 * `extensions` carry SuperTokens' answer (`unauthorised`, `try refresh token`, `invalid claim`
 * with `claimValidationErrors`).
 */

type Mode = 'header' | 'cookie';
const MODES: Mode[] = ['header', 'cookie'];
const ADAPTERS = PLATFORMS.map((p) => [p === 'express' ? 'Apollo on Express' : 'Mercurius on Fastify', p] as const);
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

describe.each(ADAPTERS)('GraphQL sessions (%s)', (_name, platform) => {
  let app: INestApplication;
  const clock = new TestClock();

  beforeAll(async () => {
    app = await createTestApp(platform, graphqlApp(platform, clock));
  });
  afterAll(() => app.close());

  function gql(query: string, headers: Record<string, string> = {}) {
    return request(app.getHttpServer()).post('/graphql').set(headers).send({ query });
  }
  const credentials = (s: TestSession, mode: Mode) => (mode === 'header' ? s.headers : s.cookieHeaders);
  const newAccessToken = (res: request.Response, mode: Mode) => (mode === 'header' ? headerTokens(res).access : cookieTokens(res).access);

  it('a resolver without a guard answers without a session', async () => {
    const res = await gql('{ open }').expect(200);
    expect(res.body).toEqual({ data: { open: 'open' } });
  });

  it('no session: the guarded field is null and the error says "unauthorised" (code UNAUTHENTICATED)', async () => {
    const res = await gql('{ me { userId } }');
    expect(res.body.data).toEqual({ me: null });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0]).toMatchObject({
      message: 'unauthorised',
      path: ['me'],
      extensions: { code: 'UNAUTHENTICATED', statusCode: 401, type: 'UNAUTHORISED', message: 'unauthorised' },
    });
  });

  it('sessionRequired: false: the resolver runs without a session and gets none', async () => {
    const res = await gql('{ optionalUser }').expect(200);
    expect(res.body).toEqual({ data: { optionalUser: null } });
  });

  describe.each(MODES)('%s mode', (mode) => {
    it('AuthGuard + @Session(): the resolver reads the verified session', async () => {
      const s = await createTestSession(app, { userId: `gql-${mode}` });
      const res = await gql('{ me { userId tenantId sessionHandle } optionalUser }', credentials(s, mode)).expect(200);
      expect(res.body).toEqual({ data: { me: { userId: `gql-${mode}`, tenantId: 'public', sessionHandle: s.sessionHandle }, optionalUser: `gql-${mode}` } });
    });

    it('an expired access token: "try refresh token" in the message and extensions, tokens kept', async () => {
      const s = await createTestSession(app, { userId: `expired-${mode}` });
      clock.advance(601);
      const res = await gql('{ me { userId } }', credentials(s, mode));
      expect(res.body.data).toEqual({ me: null });
      expect(res.body.errors[0]).toMatchObject({
        message: 'try refresh token',
        extensions: { code: 'UNAUTHENTICATED', statusCode: 401, type: 'TRY_REFRESH_TOKEN', message: 'try refresh token' },
      });
      expect(res.headers['front-token']).toBeUndefined();
      expect(setCookie(res, 'sAccessToken')).toBeUndefined();
    });

    it('a forged access token: "try refresh token", as SuperTokens answers an invalid signature', async () => {
      const s = await createTestSession(app, { userId: `forged-${mode}` });
      const forged = `${s.accessToken.slice(0, -4)}AAAA`;
      const headers: Record<string, string> = mode === 'header' ? { Authorization: `Bearer ${forged}` } : { Cookie: `sAccessToken=${forged}` };
      const res = await gql('{ me { userId } }', headers);
      expect(res.body.errors[0]).toMatchObject({ message: 'try refresh token', extensions: { code: 'UNAUTHENTICATED', statusCode: 401 } });
    });

    it('a session revoked elsewhere: "unauthorised", and the GraphQL response clears the tokens', async () => {
      const s = await createTestSession(app, { userId: `revoked-${mode}` });
      await gql('{ strictUser }', credentials(s, mode)).expect(200, { data: { strictUser: `revoked-${mode}` } });
      await app.get(SessionService).revokeSession(s.sessionHandle);
      const res = await gql('{ strictUser }', credentials(s, mode));
      expect(res.body.data).toEqual({ strictUser: null });
      expect(res.body.errors[0]).toMatchObject({ message: 'unauthorised', extensions: { code: 'UNAUTHENTICATED', statusCode: 401, type: 'UNAUTHORISED' } });
      expect(res.headers['front-token']).toBe('remove');
      if (mode === 'cookie') {
        expect(setCookie(res, 'sAccessToken')?.attributes.expires).toBe(EPOCH);
        expect(setCookie(res, 'sRefreshToken')?.attributes.expires).toBe(EPOCH);
      } else {
        expect(res.headers['st-access-token']).toBe('');
        expect(res.headers['st-refresh-token']).toBe('');
      }
    });

    it('@RequireClaim on a resolver: a missing claim is "invalid claim" (FORBIDDEN) with claimValidationErrors', async () => {
      const userId = `free-${mode}`;
      planSource.set(userId, 'free');
      const s = await createTestSession(app, { userId, claims: [[PlanClaim, 'free']] });
      const res = await gql('{ proReport }', credentials(s, mode));
      expect(res.body.data).toEqual({ proReport: null });
      expect(res.body.errors[0]).toMatchObject({
        message: 'invalid claim',
        path: ['proReport'],
        extensions: {
          code: 'FORBIDDEN',
          statusCode: 403,
          type: 'INVALID_CLAIMS',
          message: 'invalid claim',
          claimValidationErrors: [{ id: 'plan', reason: { message: 'wrong value', expectedValue: 'pro', actualValue: 'free' } }],
        },
      });
    });

    it('a claim the guard refetches (stale) goes back as a new access token on the GraphQL response', async () => {
      const userId = `pro-${mode}`;
      planSource.set(userId, 'pro');
      const s = await createTestSession(app, { userId, claims: [[PlanClaim, 'pro']] });
      const fresh = await gql('{ proReport }', credentials(s, mode)).expect(200);
      expect(fresh.body).toEqual({ data: { proReport: `report for ${userId}` } });
      expect(newAccessToken(fresh, mode)).toBeUndefined();

      clock.advance(61);
      const res = await gql('{ proReport }', credentials(s, mode)).expect(200);
      expect(res.body).toEqual({ data: { proReport: `report for ${userId}` } });
      const access = newAccessToken(res, mode)!;
      expect(jwtPayload(access).plan).toEqual({ v: 'pro', t: clock.now() });
      expect(decodeFrontToken(res.headers['front-token']).up.plan).toEqual({ v: 'pro', t: clock.now() });
    });

    it('a mutation that sets a claim sends the new access token and front-token on its response', async () => {
      const s = await createTestSession(app, { userId: `mutating-${mode}` });
      const res = await gql('mutation { setPlan(plan: "pro") }', credentials(s, mode)).expect(200);
      expect(res.body).toEqual({ data: { setPlan: 'pro' } });
      const access = newAccessToken(res, mode)!;
      expect(jwtPayload(access).plan.v).toBe('pro');
      expect((decodeFrontToken(res.headers['front-token']).up.plan as { v: string }).v).toBe('pro');
      // The new token is accepted and carries the claim.
      const headers: Record<string, string> = mode === 'header' ? { Authorization: `Bearer ${access}` } : { Cookie: `sAccessToken=${access}` };
      const me = await gql('{ me { plan } }', headers).expect(200);
      expect(me.body).toEqual({ data: { me: { plan: 'pro' } } });
    });

    it('a mutation that revokes the session clears the tokens on its response; the old token is then refused', async () => {
      const s = await createTestSession(app, { userId: `leaving-${mode}` });
      const res = await gql('mutation { signOut }', credentials(s, mode)).expect(200);
      expect(res.body).toEqual({ data: { signOut: true } });
      expect(res.headers['front-token']).toBe('remove');
      if (mode === 'cookie') expect(setCookie(res, 'sAccessToken')?.attributes.expires).toBe(EPOCH);
      else expect(res.headers['st-access-token']).toBe('');
      const refresh = await request(app.getHttpServer()).post('/auth/session/refresh').set(mode === 'header' ? s.refresh.headers : s.refresh.cookieHeaders);
      expect(refresh.status).toBe(401);
    });
  });
});
