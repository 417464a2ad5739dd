import type { INestApplication } from '@nestjs/common';
import { SessionService, type SessionModuleOptions } from '../../src';
import { sessionManagementApp } from '../fixtures/session-management.app';
import { createTestApp } from '../support/platforms';
import { SessionClient } from '../support/session-client';
import { jwtPayload } from '../support/tokens';

/**
 * Rule: each new access token (creation, refresh) lives `accessTokenValidity` shortened by a
 * random 0..`accessTokenJitter` fraction (default 5 %), so refreshes spread out; re-issued tokens
 * (payload changes) keep their expiry; `accessTokenJitter: 0` turns it off.
 */
const VALIDITY = 1000;

async function lifetimes(options: SessionModuleOptions, count = 200): Promise<number[]> {
  const app = await createTestApp('express', sessionManagementApp({ accessTokenValidity: VALIDITY, ...options }));
  try {
    const sessions = app.get(SessionService);
    const issued = await Promise.all(Array.from({ length: count }, (_, i) => sessions.createNewSessionWithoutRequestResponse('public', `jitter-${i}`)));
    return issued.map((s) => {
      const { exp, iat } = s.getAccessTokenPayload();
      return exp - iat;
    });
  } finally {
    await app.close();
  }
}

describe('access-token lifetime jitter', () => {
  it.each([
    ['the default 5 %', {}, 0.05],
    ['a configured 20 %', { accessTokenJitter: 0.2 }, 0.2],
  ])('%s: lifetimes spread over the range and stay inside it', async (_name, options, jitter) => {
    const seen = await lifetimes(options);
    const lowest = Math.floor(VALIDITY * (1 - jitter));
    for (const lifetime of seen) {
      expect(lifetime).toBeGreaterThanOrEqual(lowest);
      expect(lifetime).toBeLessThanOrEqual(VALIDITY);
    }
    // Spread: 200 draws over the range cover both ends of it and many values between.
    const span = VALIDITY - lowest;
    expect(Math.min(...seen)).toBeLessThan(lowest + span * 0.25);
    expect(Math.max(...seen)).toBeGreaterThan(VALIDITY - span * 0.25);
    expect(new Set(seen).size).toBeGreaterThan(Math.min(20, span / 2));
  });

  it('accessTokenJitter: 0 gives every token the full validity', async () => {
    expect(new Set(await lifetimes({ accessTokenJitter: 0 }, 50))).toEqual(new Set([VALIDITY]));
  });

  it('refreshes are jittered too; a payload change keeps the expiry', async () => {
    const app: INestApplication = await createTestApp('express', sessionManagementApp({ accessTokenValidity: VALIDITY, accessTokenJitter: 0.5 }));
    try {
      const client = new SessionClient(app, 'header');
      await client.login({ userId: 'jitter-refresh' });
      const refreshed = new Set<number>();
      for (let i = 0; i < 20; i++) {
        await client.refreshSession().expect(200);
        refreshed.add(client.payload.exp - client.payload.iat);
      }
      expect(refreshed.size).toBeGreaterThan(5);
      const before = client.payload.exp;
      const res = await client.post('/payload', { plan: 'pro' }).expect(201);
      expect(jwtPayload(res.headers['st-access-token']).exp).toBe(before);
    } finally {
      await app.close();
    }
  });

  it('refuses a jitter outside [0, 1)', async () => {
    await expect(createTestApp('express', sessionManagementApp({ accessTokenJitter: 1 }))).rejects.toThrow('accessTokenJitter must be a fraction from 0 (off) to below 1, got 1');
  });
});
