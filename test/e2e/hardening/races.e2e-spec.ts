import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { Response } from 'supertest';
import { testDatabaseKind, testDatabaseOptions } from '../../support/database';
import { createTestApp } from '../../support/platforms';
import { SessionClient } from '../../support/session-client';
import {
  AuthGuard,
  PrimitiveClaim,
  Session,
  type SessionClaimValidator,
  type SessionContainer,
  SessionModule,
  SessionService,
} from '../../../src';

/**
 * Races (issue 9): each scenario runs {@link RUNS} times, each time on a new session, with its
 * requests started together. Nothing lost (every key of every merge is stored), no session
 * resurrected (a revoke or sign-out racing a refresh or a claim write-back leaves no session and
 * no usable token), no false theft alarm (concurrent refreshes with one token all succeed with
 * one new chain), never a 5xx.
 */
const db = testDatabaseKind();
const RUNS = 50;

let fetches = 0;
const Plan = new PrimitiveClaim<string>({ key: 'plan', fetchValue: async () => (fetches++, 'gold') });

@Controller()
class RaceController {
  @Post('merge')
  @UseGuards(AuthGuard)
  async merge(@Session() session: SessionContainer, @Body() update: Record<string, number>) {
    await session.mergeIntoAccessTokenPayload(update);
    return { ok: true };
  }

  /** The claim is missing from new sessions: every first request refetches it and writes it back. */
  @Get('claimed')
  @UseGuards(new AuthGuard({ overrideGlobalClaimValidators: (global: SessionClaimValidator[]) => [...global, Plan.validators.hasValue('gold')] }))
  claimed(@Session() session: SessionContainer) {
    return { plan: (session.getAccessTokenPayload().plan as { v?: string } | undefined)?.v };
  }

  @Get('strict')
  @UseGuards(new AuthGuard({ checkDatabase: true }))
  strict() {
    return { ok: true };
  }
}

describe(`races (${db}, ${RUNS} runs each)`, () => {
  let app: INestApplication;
  let sessions: SessionService;
  let n = 0;
  beforeAll(async () => {
    app = await createTestApp('express', {
      imports: [SessionModule.forRoot({ database: testDatabaseOptions(), cleanupInterval: 0 })],
      controllers: [RaceController],
    });
    sessions = app.get(SessionService);
  });
  afterAll(() => app?.close());

  /** A new session for a new user, held by a header-mode client. */
  async function signIn(): Promise<{ client: SessionClient; userId: string; handle: string }> {
    const userId = `racer-${++n}`;
    const created = await sessions.createNewSessionWithoutRequestResponse('public', userId, {}, {}, true);
    const tokens = created.getAllSessionTokensDangerously();
    const client = new SessionClient(app, 'header');
    client.access = tokens.accessToken;
    client.refresh = tokens.refreshToken!;
    client.handle = created.getHandle();
    return { client, userId, handle: created.getHandle() };
  }

  const refreshTokenOf = (res: Response): string | undefined => res.headers['st-refresh-token'] || undefined;
  const accessTokenOf = (res: Response): string | undefined => res.headers['st-access-token'] || undefined;

  /** The session is gone for good: no handle, no refresh, no database-checked request. */
  async function expectGone(client: SessionClient, userId: string, handle: string, tokens: { refresh: string[]; access: string[] }): Promise<void> {
    await expect(sessions.getSessionInformation(handle)).resolves.toBeUndefined();
    await expect(sessions.getAllSessionHandlesForUser(userId)).resolves.toEqual([]);
    for (const refresh of tokens.refresh) expect((await client.refreshSession(refresh)).status).toBe(401);
    for (const access of tokens.access) expect((await client.get('/strict', access)).status).toBe(401);
    await expect(sessions.getSessionInformation(handle)).resolves.toBeUndefined();
  }

  it('concurrent refreshes with one token: all succeed, one new chain, no theft alarm', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { client, userId, handle } = await signIn();
      const token = client.refresh!;
      const answers = await Promise.all([0, 1, 2].map(() => client.refreshSession(token)));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      const children = new Set(answers.map(refreshTokenOf));
      expect(children.size).toBe(1);
      const [child] = [...children];
      expect(child).toEqual(expect.any(String));
      await expect(sessions.getAllSessionHandlesForUser(userId)).resolves.toEqual([handle]);
      // The one chain goes on: its token rotates, every issued access token checks against the database.
      for (const res of answers) expect((await client.get('/strict', accessTokenOf(res))).status).toBe(200);
      const next = await client.refreshSession(child!);
      expect(next.status).toBe(200);
      expect(refreshTokenOf(next)).not.toBe(child);
    }
  });

  it('refresh racing sign-out: the session is not resurrected', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { client, userId, handle } = await signIn();
      const refresh = client.refresh!;
      const access = client.access!;
      const [refreshed, signedOut] = await Promise.all([client.refreshSession(refresh), client.signOut(access)]);
      expect([200, 401]).toContain(refreshed.status);
      expect(signedOut.status).toBe(200);
      await expectGone(client, userId, handle, {
        refresh: [refresh, refreshTokenOf(refreshed)].filter((t): t is string => !!t),
        access: [access, accessTokenOf(refreshed)].filter((t): t is string => !!t),
      });
    }
  });

  it('refresh racing revokeAllSessionsForUser: the session is not resurrected', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { client, userId, handle } = await signIn();
      const refresh = client.refresh!;
      const [refreshed, revoked] = await Promise.all([client.refreshSession(refresh), sessions.revokeAllSessionsForUser(userId)]);
      expect([200, 401]).toContain(refreshed.status);
      expect(revoked).toEqual([handle]);
      await expectGone(client, userId, handle, {
        refresh: [refresh, refreshTokenOf(refreshed)].filter((t): t is string => !!t),
        access: [client.access!, accessTokenOf(refreshed)].filter((t): t is string => !!t),
      });
    }
  });

  it('online merges racing offline and per-user merges: every key of every merge is stored', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { client, userId, handle } = await signIn();
      const answers = await Promise.all([
        client.post('/merge', { online1: run }),
        sessions.mergeIntoAccessTokenPayload(handle, { offline1: run }),
        sessions.mergeIntoAccessTokenPayloadForUser(userId, { user1: run }),
        client.post('/merge', { online2: run }),
        sessions.mergeIntoAccessTokenPayload(handle, { offline2: run }),
        sessions.mergeIntoAccessTokenPayloadForUser(userId, { user2: run }),
      ]);
      expect([(answers[0] as Response).status, (answers[3] as Response).status]).toEqual([201, 201]);
      expect([answers[1], answers[2], answers[4], answers[5]]).toEqual([true, 1, true, 1]);
      const stored = (await sessions.getSessionInformation(handle))!.customClaimsInAccessTokenPayload;
      expect(stored).toEqual(expect.objectContaining({ online1: run, offline1: run, user1: run, online2: run, offline2: run, user2: run }));
      // The next refresh carries all of them too.
      const refreshed = await client.refreshSession();
      expect(refreshed.status).toBe(200);
      expect(client.payload).toEqual(expect.objectContaining({ online1: run, offline1: run, user1: run, online2: run, offline2: run, user2: run }));
    }
  });

  it('claim refetch racing revoke: the write-back does not resurrect the session', async () => {
    const before = fetches;
    for (let run = 0; run < RUNS; run++) {
      const { client, userId, handle } = await signIn();
      const access = client.access!;
      const [guarded, revoked] = await Promise.all([client.get('/claimed', access), sessions.revokeSession(handle)]);
      expect([200, 401]).toContain(guarded.status);
      if (guarded.status === 200) expect(guarded.body).toEqual({ plan: 'gold' });
      expect(revoked).toBe(true);
      await expectGone(client, userId, handle, { refresh: [client.refresh!], access: [access, accessTokenOf(guarded)].filter((t): t is string => !!t) });
    }
    expect(fetches).toBeGreaterThan(before);
  });
});
