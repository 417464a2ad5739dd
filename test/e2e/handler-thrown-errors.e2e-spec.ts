import type { INestApplication } from '@nestjs/common';
import type { Response } from 'supertest';
import { SessionService, type SessionModuleOptions } from '../../src';
import { thrownErrorsApp } from '../fixtures/thrown-errors.app';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../support/session-client';

/**
 * Errors are rendered in one place: a `SessionError` thrown by a handler (`UnauthorisedError`,
 * `TokenTheftDetectedError`, `InvalidClaimsError`, or `session.assertClaims()` failing) answers
 * exactly as the same failure in the guard or the refresh route does — status, body, the tokens
 * cleared in the transfer method the client uses, and the `errorHandlers` answer — on Express
 * and Fastify, while the app's own exception filter keeps answering the app's own errors.
 */

/** What a client sees of an error answer (cookie expiry dates included: cleared cookies expire at the epoch). */
function answer(res: Response) {
  const cookies = res.headers['set-cookie'] as unknown as string[] | undefined;
  return {
    status: res.status,
    body: res.body,
    frontToken: res.headers['front-token'],
    accessHeader: res.headers['st-access-token'],
    refreshHeader: res.headers['st-refresh-token'],
    exposed: res.headers['access-control-expose-headers'],
    cookies: [...(cookies ?? [])].sort(),
  };
}

async function signIn(app: INestApplication, mode: 'header' | 'cookie', userId = 'alice'): Promise<SessionClient> {
  const client = new SessionClient(app, mode);
  await client.login({ userId });
  return client;
}

/** The guard's theft answer: a refresh token superseded twice, presented again. */
async function guardTheft(app: INestApplication, mode: 'header' | 'cookie'): Promise<Response> {
  const client = await signIn(app, mode, 'thief-victim');
  const stolen = client.refresh!;
  await client.refreshSession();
  await client.refreshSession();
  return client.refreshSession(stolen);
}

/** The guard's unauthorised answer: a revoked session on a `checkDatabase` route. */
async function guardUnauthorised(app: INestApplication, mode: 'header' | 'cookie'): Promise<Response> {
  const client = await signIn(app, mode);
  await app.get(SessionService).revokeSession(client.handle!);
  return client.post('/guard/unauthorised');
}

describe.each(PLATFORMS)('session errors thrown by handlers (%s)', (platform) => {
  describe.each([
    ['default answers', {}],
    [
      'errorHandlers',
      {
        errorHandlers: {
          onUnauthorised: () => ({ statusCode: 440, body: { custom: 'signed out' } }),
          onTokenTheftDetected: ({ userId }: { userId: string }) => ({ statusCode: 409, body: { custom: 'theft', userId: userId.length > 0 } }),
          onInvalidClaim: ({ claimValidationErrors }: { claimValidationErrors: { id: string }[] }) => ({ statusCode: 422, body: { failed: claimValidationErrors.map((e) => e.id) } }),
        },
      },
    ],
  ] as [string, SessionModuleOptions][])('%s', (_label, options) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, thrownErrorsApp(options));
    });
    afterAll(() => app.close());

    describe.each(TRANSFER_MODES)('%s mode', (mode) => {
      it('a handler-thrown UnauthorisedError answers as the guard does, tokens cleared', async () => {
        const fromGuard = await guardUnauthorised(app, mode);
        const client = await signIn(app, mode);
        const fromHandler = await client.post('/handler/unauthorised');

        expect(answer(fromHandler)).toEqual(answer(fromGuard));
        expect(fromHandler.status).toBe(options.errorHandlers ? 440 : 401);
        client.expectTokensCleared(fromHandler);
      });

      it('a handler-thrown TokenTheftDetectedError answers as the refresh route does on theft, tokens cleared', async () => {
        const fromRefresh = await guardTheft(app, mode);
        const client = await signIn(app, mode, 'thief-victim');
        const fromHandler = await client.post('/handler/theft');

        expect(answer(fromHandler)).toEqual(answer(fromRefresh));
        expect(fromHandler.body).toEqual(options.errorHandlers ? { custom: 'theft', userId: true } : { message: 'token theft detected' });
        client.expectTokensCleared(fromHandler);
      });

      it('a handler-thrown InvalidClaimsError and a failing session.assertClaims() answer as the guard does, tokens kept', async () => {
        const client = await signIn(app, mode);
        const fromGuard = await client.post('/guard/invalid-claim');
        const thrown = await client.post('/handler/invalid-claim');
        const asserted = await client.post('/handler/assert-claims');

        expect(answer(thrown)).toEqual(answer(fromGuard));
        expect(answer(asserted)).toEqual(answer(fromGuard));
        expect(fromGuard.body).toEqual(
          options.errorHandlers
            ? { failed: ['st-role'] }
            : { message: 'invalid claim', claimValidationErrors: [{ id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin' } }] },
        );
        expect(thrown.headers['front-token']).toBeUndefined();
        expect((await client.get('/verified')).status).toBe(200);
      });
    });

    it("the app's own global filter still answers the app's own errors", async () => {
      const client = await signIn(app, 'header');
      const res = await client.post('/handler/teapot');

      expect(res.status).toBe(418);
      expect(res.body).toEqual({ teapot: true });
    });
  });
});
