import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Outbox } from '../../sample-app/outbox/outbox.service';
import { DEMO_USERS } from '../../sample-app/users/demo-users.seeder';
import { startSampleApi } from '../support/sample-site';
import { headerTokens, jwtPayload } from '../support/tokens';

/**
 * The sample app's "your devices" API: the page lists the user's sessions with their devices,
 * signs out one device, and a password change signs out every other device (issue 15).
 * Signing out another device is a step-up action (`STEP_UP_MAX_AGE`, default 300 s).
 */
const [alice, bob] = DEMO_USERS;
const LAPTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

/** Bob signed in (header mode) on a device, second factor done: that device's tokens. */
async function signInBob(app: INestApplication, userAgent: string, password = bob.password): Promise<{ access: string; refresh: string }> {
  const http = () => request(app.getHttpServer());
  const signIn = await http().post('/signin').set('User-Agent', userAgent).send({ email: bob.email, password }).expect(200);
  const access = headerTokens(signIn).access;
  const code = app.get(Outbox).latest('two-factor-code', bob.email, { sessionHandle: jwtPayload(access).sessionHandle })!.data.code;
  const verified = await http().post('/2fa/verify').set('User-Agent', userAgent).set('Authorization', `Bearer ${access}`).send({ code }).expect(200);
  return { access: headerTokens(verified).access, refresh: headerTokens(signIn).refresh };
}
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('sample app: your devices and the password change', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app } = await startSampleApi({ SAMPLE_DB: ':memory:' }));
  });
  afterAll(() => app.close());

  /** Bob signed in (header mode) on a device, second factor done: that device's tokens. */
  async function signIn(userAgent: string, password = bob.password): Promise<{ access: string; refresh: string }> {
    return signInBob(app, userAgent, password);
  }


  it('lists both devices, signs one out, and a password change signs out the other device', async () => {
    const laptop = await signIn(LAPTOP);
    const phone = await signIn(PHONE);
    const listed = await http().get('/me/sessions').set(bearer(laptop.access)).expect(200);
    expect(listed.body.map((d: { device: { label: string }; current: boolean }) => [d.device.label, d.current])).toEqual([
      ['Safari 17 on iOS', false],
      ['Chrome 120 on Windows', true],
    ]);

    // From the phone, sign out the laptop.
    await http().post(`/me/sessions/${jwtPayload(laptop.access).sessionHandle}/revoke`).set(bearer(phone.access)).expect(200);
    await http().get('/me').set(bearer(laptop.access)).expect(200); // the access token is still valid until it expires...
    await http().post('/auth/session/refresh').set(bearer(laptop.refresh)).expect(401); // ...but the session is gone

    const laptop2 = await signIn(LAPTOP);
    await http().post('/me/password').set(bearer(laptop2.access)).send({ currentPassword: 'wrong', newPassword: 'new-bob-password' }).expect(400, { message: 'wrong password' });
    await http().post('/me/password').set(bearer(laptop2.access)).send({ currentPassword: bob.password, newPassword: 'short' }).expect(400);
    const changed = await http().post('/me/password').set(bearer(laptop2.access)).send({ currentPassword: bob.password, newPassword: 'new-bob-password' }).expect(200);
    expect(changed.body).toEqual({ status: 'OK', signedOut: 1 });
    await http().post('/auth/session/refresh').set(bearer(phone.refresh)).expect(401);
    const after = await http().get('/me/sessions').set(bearer(laptop2.access)).expect(200);
    expect(after.body).toEqual([expect.objectContaining({ sessionHandle: jwtPayload(laptop2.access).sessionHandle, current: true })]);
    await http().post('/signin').send({ email: bob.email, password: bob.password }).expect(401);
    await signIn(PHONE, 'new-bob-password');
  });

  it('a handle of another user answers 404 and revokes nothing', async () => {
    const bobs = await signIn(LAPTOP, 'new-bob-password');
    const alices = headerTokens(await http().post('/signin').send({ email: alice.email, password: alice.password }).expect(200));
    const res = await http().post(`/me/sessions/${jwtPayload(alices.access).sessionHandle}/revoke`).set(bearer(bobs.access)).expect(404);
    expect(res.body).toEqual(expect.objectContaining({ message: 'no such session' }));
    await http().post('/auth/session/refresh').set(bearer(alices.refresh)).expect(200);
  });
});

describe('sample app: signing out another device is a step-up action', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // A zero-second window: any sign-in older than the current second is too old.
    ({ app } = await startSampleApi({ SAMPLE_DB: ':memory:', STEP_UP_MAX_AGE: '0' }));
  });
  afterAll(() => app.close());

  it('answers 403 invalid claim (st-auth) once the sign-in aged; the password renews it in the same answer, a refresh does not', async () => {
    const laptop = await signInBob(app, LAPTOP);
    const phone = await signInBob(app, PHONE);
    const phoneHandle = jwtPayload(phone.access).sessionHandle;
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const refused = await http().post(`/me/sessions/${phoneHandle}/revoke`).set(bearer(laptop.access)).expect(403);
    expect(refused.body).toEqual({
      message: 'invalid claim',
      claimValidationErrors: [{ id: 'st-auth', reason: { message: 'authentication is too old', ageInSeconds: expect.any(Number), maxAgeInSeconds: 0 } }],
    });
    // A refresh carries the authentication time unchanged.
    const refreshed = headerTokens(await http().post('/auth/session/refresh').set(bearer(laptop.refresh)).expect(200));
    expect(jwtPayload(refreshed.access)['st-auth']).toEqual(jwtPayload(laptop.access)['st-auth']);
    await http().post(`/me/sessions/${phoneHandle}/revoke`).set(bearer(refreshed.access)).expect(403);

    await http().post('/me/reauthenticate').set(bearer(refreshed.access)).send({ password: 'not-his-password' }).expect(400, { message: 'wrong password' });
    await http().post('/me/reauthenticate').set(bearer(refreshed.access)).send({}).expect(400);
    const reauthenticated = await http().post('/me/reauthenticate').set(bearer(refreshed.access)).send({ password: bob.password }).expect(200, { status: 'OK' });
    const renewed = headerTokens(reauthenticated).access;
    expect(jwtPayload(renewed)['st-auth'].v).toBeGreaterThan(jwtPayload(refreshed.access)['st-auth'].v);
    await http().post(`/me/sessions/${phoneHandle}/revoke`).set(bearer(renewed)).expect(200);
    await http().post('/auth/session/refresh').set(bearer(phone.refresh)).expect(401);
  });
});

describe('sample app: a security alert on refresh-token theft (a @SessionListener)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app } = await startSampleApi({ SAMPLE_DB: ':memory:' }));
  });
  afterAll(() => app.close());

  it('a refresh token two rotations old revokes the session and the owner gets an alert naming the reuse kind', async () => {
    const device = await signInBob(app, LAPTOP);
    const handle = jwtPayload(device.access).sessionHandle;
    const first = headerTokens(await http().post('/auth/session/refresh').set(bearer(device.refresh)).expect(200));
    await http().post('/auth/session/refresh').set(bearer(first.refresh)).expect(200);
    expect(app.get(Outbox).latest('security-alert', bob.email, { sessionHandle: handle })).toBeUndefined();

    const replay = await http().post('/auth/session/refresh').set(bearer(device.refresh)).expect(401);
    expect(replay.body).toMatchObject({ message: 'token theft detected' });
    const alert = app.get(Outbox).latest('security-alert', bob.email, { sessionHandle: handle });
    expect(alert?.data).toEqual({ sessionHandle: handle, reuseKind: 'ancestor' });
    // Nobody else was told.
    expect(app.get(Outbox).latest('security-alert', alice.email)).toBeUndefined();
  });
});
