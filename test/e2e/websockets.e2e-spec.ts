import type { INestApplication } from '@nestjs/common';
import { SessionService, WS_CLOSE_UNAUTHORISED } from '../../src';
import { createTestSession, TestClock, type TestSession } from '../../src/testing';
import { ModeratorClaim, startWebSocketApp, type WsPlatform } from '../fixtures/websockets.app';
import { NEST_MAJOR } from '../support/nest-major';
import { WsTestClient } from '../support/ws-test-client';

/**
 * Rule: WebSocket gateways (socket.io and ws) get the same sessions as HTTP: verified at the
 * handshake — by bearer `Authorization` (or socket.io `auth`) or by the `sAccessToken` cookie from
 * an allowed origin — and again on every message by `WsAuthGuard` (database included), so a
 * revoked or expired session's socket is closed on its next message. A missing claim refuses that
 * message with SuperTokens' `invalid claim` body and keeps the socket. Nest 11 runs no global guard
 * on gateways: an unguarded gateway stays open even with `globalGuard: true`. Nest 12 does, and the
 * module's global guard then checks each message as `WsAuthGuard` does (`@Public()` opts out).
 */

const PLATFORMS: WsPlatform[] = ['socket.io', 'ws'];

describe.each(PLATFORMS)('WebSocket sessions (%s)', (platform) => {
  let app: INestApplication;
  let port: number;
  const clock = new TestClock();
  const clients: WsTestClient[] = [];

  beforeAll(async () => ({ app, port } = await startWebSocketApp(platform, clock)));
  afterEach(() => clients.splice(0).forEach((c) => c.close()));
  afterAll(() => app.close());

  const url = (namespace = '') => (platform === 'socket.io' ? `http://127.0.0.1:${port}/${namespace}` : `ws://127.0.0.1:${port}/`);
  function client(namespace?: string): WsTestClient {
    const c = new WsTestClient(platform, url(namespace));
    clients.push(c);
    return c;
  }
  const sameOrigin = () => ({ Origin: `http://127.0.0.1:${port}` });
  async function expectClosedUnauthorised(c: WsTestClient, message: string) {
    const exception = await c.next('exception');
    expect(exception).toEqual({ status: 'error', statusCode: 401, type: expect.any(String), message });
    const closed = await c.closed;
    if (platform === 'ws') expect(closed).toEqual({ code: WS_CLOSE_UNAUTHORISED, reason: message });
    else expect(closed.reason).toBe('io server disconnect');
  }

  describe('handshake', () => {
    it('by bearer Authorization: messages are answered with the session', async () => {
      const s = await createTestSession(app, { userId: 'bearer-user' });
      const c = await client().connect(s.headers);
      expect(await c.request('whoami')).toEqual({ event: 'whoami', data: { userId: 'bearer-user', sessionHandle: s.sessionHandle } });
    });

    it('by the sAccessToken cookie from the same origin', async () => {
      const s = await createTestSession(app, { userId: 'cookie-user' });
      const c = await client().connect({ Cookie: s.cookieHeaders.Cookie, ...sameOrigin() });
      expect(await c.request('whoami')).toEqual({ event: 'whoami', data: { userId: 'cookie-user', sessionHandle: s.sessionHandle } });
    });

    if (platform === 'socket.io') {
      it('by socket.io auth: { accessToken } (what a browser can send)', async () => {
        const s = await createTestSession(app, { userId: 'auth-user' });
        const c = await client().connect({}, { accessToken: s.accessToken });
        expect((await c.request('whoami')).data.userId).toBe('auth-user');
      });
    }

    it('a cookie handshake from a foreign origin is refused and closed (cross-site WebSocket hijacking)', async () => {
      const s = await createTestSession(app, { userId: 'victim' });
      const c = await client().connect({ Cookie: s.cookieHeaders.Cookie, Origin: 'https://evil.example' });
      await expectClosedUnauthorised(c, 'unauthorised');
    });

    it('no token: "unauthorised", closed', async () => {
      const c = await client().connect();
      await expectClosedUnauthorised(c, 'unauthorised');
    });

    it('an invalid token: "try refresh token", closed', async () => {
      const s = await createTestSession(app, { userId: 'forger' });
      const c = await client().connect({ Authorization: `Bearer ${s.accessToken.slice(0, -4)}AAAA` });
      await expectClosedUnauthorised(c, 'try refresh token');
    });
  });

  describe('every message', () => {
    let s: TestSession;
    let c: WsTestClient;
    beforeEach(async () => {
      s = await createTestSession(app, { userId: 'chatter' });
      c = await client().connect(s.headers);
      expect((await c.request('whoami')).event).toBe('whoami');
    });

    it('a session revoked elsewhere: the next message is refused and the socket closed', async () => {
      await app.get(SessionService).revokeSession(s.sessionHandle);
      c.send('whoami');
      await expectClosedUnauthorised(c, 'unauthorised');
    });

    it('an access token that expired while connected: "try refresh token" on the next message, closed', async () => {
      clock.advance(601);
      c.send('whoami');
      await expectClosedUnauthorised(c, 'try refresh token');
    });

    it('@RequireClaim: a missing claim refuses that message with "invalid claim" and keeps the socket', async () => {
      const answer = await c.request('moderate');
      expect(answer).toEqual({
        event: 'exception',
        data: {
          status: 'error',
          statusCode: 403,
          type: 'INVALID_CLAIMS',
          message: 'invalid claim',
          claimValidationErrors: [{ id: 'moderator', reason: { message: 'wrong value', expectedValue: true, actualValue: false } }],
        },
      });
      expect((await c.request('whoami')).event).toBe('whoami');
    });

    it('@RequireClaim: a session with the claim gets the answer', async () => {
      const moderator = await createTestSession(app, { userId: 'mod', claims: [[ModeratorClaim, true]] });
      const m = await client().connect(moderator.headers);
      expect(await m.request('moderate')).toEqual({ event: 'moderate', data: { moderatedBy: 'mod' } });
    });
  });

  if (platform === 'socket.io') {
    describe('socket.io middleware and global guards', () => {
      it('socketIoMiddleware refuses the connection before it opens: connect_error with the body in data', async () => {
        const c = await client('strict').connect();
        expect(c.connectError?.message).toBe('unauthorised');
        expect(c.connectError?.data).toEqual({ status: 'error', statusCode: 401, type: 'UNAUTHORISED', message: 'unauthorised' });
        const s = await createTestSession(app, { userId: 'strict-user' });
        const ok = await client('strict').connect(s.headers);
        expect(await ok.request('whoami')).toEqual({ event: 'whoami', data: { userId: 'strict-user' } });
      });

      if (NEST_MAJOR < 12) {
        it('Nest 11 runs no global guard on gateways: with globalGuard: true an unguarded gateway answers without a session', async () => {
          const c = await client('unguarded').connect();
          c.send('ping');
          expect(await c.next('pong')).toEqual({ answered: true });
        });
      } else {
        it('Nest 12 runs global guards on gateways: with globalGuard: true a message without a session is refused and the socket closed', async () => {
          const c = await client('unguarded').connect();
          c.send('ping');
          await expectClosedUnauthorised(c, 'unauthorised');
        });
      }

      it('@Public() handler of an unguarded gateway answers without a session (globalGuard: true, either major)', async () => {
        const c = await client('unguarded').connect();
        c.send('publicPing');
        expect(await c.next('pong')).toEqual({ answered: true });
      });
    });
  }
});
