import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SecondFactorClaim } from '../../sample-app/two-factor/second-factor.claim';
import { DEMO_USERS } from '../../sample-app/users/demo-users.seeder';
import { UsersService } from '../../sample-app/users/users.service';
import { createTestSession } from '../../src/testing';
import { PLATFORMS } from '../support/platforms';
import { startSampleAppInMemory } from '../support/sample-app-in-memory';

/**
 * The sample app's own tests use the testing kit the way an application would: sessions for a
 * user with the claims a scenario needs, without the sign-in, 2FA and email dance, sent in
 * either transfer method. The app's real claims still apply (its roles and permissions come from
 * its tables through `claimsToAddOnCreate`).
 */

const [alice, bob] = DEMO_USERS;
const secondFactorMissing = { id: '2fa-completed', reason: { message: 'wrong value', expectedValue: true, actualValue: false } };

describe.each(PLATFORMS)('sample app with the testing kit (%s)', (platform) => {
  let app: INestApplication;
  let close: () => Promise<void>;
  const http = () => request(app.getHttpServer());
  const idOf = async (email: string) => (await app.get(UsersService).findByEmail(email))!.id;

  beforeAll(async () => ({ app, close } = await startSampleAppInMemory(platform)));
  afterAll(() => close());

  it('a session with the second factor done reaches /me in both transfer methods', async () => {
    const userId = await idOf(alice.email);
    const s = await createTestSession(app, { userId, claims: [[SecondFactorClaim, true]] });
    for (const headers of [s.headers, s.cookieHeaders]) {
      const res = await http().get('/me').set(headers).expect(200);
      expect(res.body).toMatchObject({ userId, email: alice.email, tenantId: 'public', sessionHandle: s.sessionHandle });
      // The app's own claims were fetched at creation: alice is an admin with a verified email.
      expect(res.body.accessTokenPayload['st-role'].v).toEqual(['admin']);
      expect(res.body.accessTokenPayload['st-ev'].v).toBe(true);
    }
  });

  it('without the second factor the app answers 403 naming the missing claim', async () => {
    const s = await createTestSession(app, { userId: await idOf(alice.email) });
    const res = await http().get('/me').set(s.headers).expect(403);
    expect(res.body).toEqual({ message: 'invalid claim', claimValidationErrors: [secondFactorMissing] });
  });

  it('permissions come from the app: bob reads articles but may not edit them', async () => {
    const s = await createTestSession(app, { userId: await idOf(bob.email), claims: [[SecondFactorClaim, true]] });
    const list = await http().get('/articles').set(s.cookieHeaders).expect(200);
    expect(list.body.length).toBeGreaterThan(0);
    const res = await http().post(`/articles/${list.body[0].id}/edit`).set(s.cookieHeaders).send({ title: 'x' }).expect(403);
    expect(res.body.claimValidationErrors).toEqual([expect.objectContaining({ id: 'st-perm' })]);
  });
});
