import type { INestApplication } from '@nestjs/common';
import { SessionService } from '../../src';
import { payloadApp } from '../fixtures/payload.app';
import { installClock, type TestClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { QueryCounter } from '../support/query-counter';
import { customClaimsOfToken, SessionClient, TRANSFER_MODES } from '../support/session-client';
import { decodeFrontToken, jwtPayload } from '../support/tokens';

/**
 * Offline changes reach the user without a refresh call.
 * `propagatePayloadChanges: { intervalSeconds }` compares the token with the database at most
 * once per session per interval and re-issues the token in that response; requests inside the
 * interval cost no query. Routes with `checkDatabase: true` re-issue at once.
 */

const INTERVAL = 30;
const verbs = (counter: QueryCounter) => counter.queries.map((q) => q.trim().split(/\s+/)[0].toUpperCase());

describe.each(PLATFORMS)('offline payload changes reaching the user (%s)', (platform) => {
  let clock: TestClock | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  describe(`propagatePayloadChanges: { intervalSeconds: ${INTERVAL} }`, () => {
    const counter = new QueryCounter();
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      app = await createTestApp(platform, payloadApp({ queryCounter: counter, propagatePayloadChanges: { intervalSeconds: INTERVAL } }));
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());

    describe.each(TRANSFER_MODES)('in %s mode', (mode) => {
      it('an offline merge shows up on the first request after the interval, in a new token of that response; requests inside it make no query', async () => {
        clock = installClock();
        const c = new SessionClient(app, mode);
        const login = await c.login({ userId: `propagated-${mode}`, payload: { plan: 'free' } });

        // The session's first request compares once and finds nothing to change.
        counter.reset();
        const first = await c.get('/payload', login.access).expect(200);
        expect(verbs(counter)).toEqual(['SELECT']);
        expect(first.headers['front-token']).toBeUndefined();

        expect(await sessions.mergeIntoAccessTokenPayload(login.handle, { plan: 'pro' })).toBe(true);

        // Inside the interval: the token's payload, no database query, no new token.
        counter.reset();
        for (const step of [10, 10, 9]) {
          clock.advance(step);
          const res = await c.get('/payload', login.access).expect(200);
          expect(res.body.payload.plan).toBe('free');
          expect(res.headers['front-token']).toBeUndefined();
        }
        expect(counter.count).toBe(0);

        // Past the interval: one query, and the change arrives with this very response.
        clock.advance(2);
        const due = await c.get('/payload', login.access).expect(200);
        expect(verbs(counter)).toEqual(['SELECT']);
        const sent = c.tokensOf(due);
        expect(customClaimsOfToken(sent.access!)).toEqual({ plan: 'pro', someKey: 'someValue' });
        expect(jwtPayload(sent.access!).exp).toBe(jwtPayload(login.access).exp);
        expect(decodeFrontToken(sent.front!)).toEqual({ uid: `propagated-${mode}`, ate: jwtPayload(login.access).exp * 1000, up: jwtPayload(sent.access!) });
        expect(due.body.payload.plan).toBe('pro');
        expect(sent.refresh).toBeUndefined();

        // The new token is quiet again until the next interval.
        counter.reset();
        clock.advance(5);
        const after = await c.get('/payload', sent.access!).expect(200);
        expect(after.body.payload.plan).toBe('pro');
        expect(after.headers['front-token']).toBeUndefined();
        expect(counter.count).toBe(0);
      });
    });

    it('the interval is per session: one busy session does not delay another’s check', async () => {
      clock = installClock();
      const c = new SessionClient(app, 'header');
      const busy = await c.login({ userId: 'busy' });
      const quiet = await c.login({ userId: 'quiet' });
      await c.get('/payload', busy.access).expect(200);
      await c.get('/payload', quiet.access).expect(200);

      expect(await sessions.mergeIntoAccessTokenPayloadForUser('quiet', { note: 'changed offline' })).toBe(1);
      clock.advance(INTERVAL + 1);
      counter.reset();
      for (let i = 0; i < 5; i++) await c.get('/payload', busy.access).expect(200);
      expect(verbs(counter)).toEqual(['SELECT']);

      counter.reset();
      const res = await c.get('/payload', quiet.access).expect(200);
      expect(verbs(counter)).toEqual(['SELECT']);
      expect(customClaimsOfToken(res.headers['st-access-token'])).toEqual({ someKey: 'someValue', note: 'changed offline' });
    });

    it('a session revoked offline is refused at its first check after the interval', async () => {
      clock = installClock();
      const c = new SessionClient(app, 'header');
      const login = await c.login({ userId: 'revoked-later' });
      await c.get('/payload', login.access).expect(200);
      expect(await sessions.revokeSession(login.handle)).toBe(true);

      await c.get('/payload', login.access).expect(200);
      clock.advance(INTERVAL + 1);
      const res = await c.get('/payload', login.access).expect(401);
      expect(res.body).toEqual({ message: 'unauthorised' });
    });
  });

  describe('without propagation: checkDatabase: true routes', () => {
    const counter = new QueryCounter();
    let app: INestApplication;
    let sessions: SessionService;
    beforeAll(async () => {
      app = await createTestApp(platform, payloadApp({ queryCounter: counter }));
      sessions = app.get(SessionService);
    });
    afterAll(() => app.close());

    describe.each(TRANSFER_MODES)('in %s mode', (mode) => {
      it('re-issue the token with the database payload at once; plain routes keep the token and touch no database', async () => {
        const c = new SessionClient(app, mode);
        const login = await c.login({ userId: `checked-${mode}`, payload: { plan: 'free' } });
        expect(await sessions.mergeIntoAccessTokenPayload(login.handle, { plan: 'pro', seats: 5 })).toBe(true);

        counter.reset();
        const plain = await c.get('/payload', login.access).expect(200);
        expect(plain.body.payload.plan).toBe('free');
        expect(plain.headers['front-token']).toBeUndefined();
        expect(counter.count).toBe(0);

        const checked = await c.get('/payload-checked', login.access).expect(200);
        expect(verbs(counter)).toEqual(['SELECT']);
        const sent = c.tokensOf(checked);
        expect(customClaimsOfToken(sent.access!)).toEqual({ plan: 'pro', seats: 5, someKey: 'someValue' });
        expect(jwtPayload(sent.access!).exp).toBe(jwtPayload(login.access).exp);
        expect(decodeFrontToken(sent.front!).up).toEqual(jwtPayload(sent.access!));
        expect(checked.body.payload).toEqual(jwtPayload(sent.access!));

        // Token and database agree now: the next checked request re-issues nothing.
        counter.reset();
        const again = await c.get('/payload-checked', sent.access!).expect(200);
        expect(verbs(counter)).toEqual(['SELECT']);
        expect(again.headers['front-token']).toBeUndefined();
        expect(c.tokensOf(again).access).toBeUndefined();
      });
    });
  });
});
