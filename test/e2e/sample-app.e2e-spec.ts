import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from '../../sample-app/app.module';
import { Outbox } from '../../sample-app/outbox/outbox.service';
import { DEMO_USERS } from '../../sample-app/users/demo-users.seeder';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { buildFrontend } from '../support/sample-site';
import { cookieTokens, decodeFrontToken, headerTokens, jwtPayload, setCookie } from '../support/tokens';

/**
 * The sample app runs as its README says: the demo page, sign-up and sign-in (bad bodies answered
 * with 400 JSON, duplicates with 409), /me, refresh and sign-out in both transfer modes.
 */

const [alice] = DEMO_USERS;
const json = { 'content-type': 'application/json' };

describe.each(PLATFORMS)('sample app (%s)', (platform) => {
  let app: INestApplication;
  let previousDb: string | undefined;
  const http = () => request(app.getHttpServer());

  /**
   * Every session starts with the second factor pending (see sample-app-claims.e2e-spec.ts):
   * enters the code the app "sent" for this session and returns the access token that passes.
   */
  async function completeSecondFactor(email: string, access: string, mode: 'header' | 'cookie' = 'header'): Promise<string> {
    const sessionHandle = jwtPayload(access).sessionHandle;
    const code = app.get(Outbox).latest('two-factor-code', email, { sessionHandle })!.data.code;
    const req = http().post('/2fa/verify').send({ code });
    const res = await (mode === 'cookie' ? req.set('Cookie', `sAccessToken=${access}`) : req.set('Authorization', `Bearer ${access}`)).expect(200);
    return mode === 'cookie' ? cookieTokens(res).access! : headerTokens(res).access;
  }

  beforeAll(async () => {
    await buildFrontend();
    // The app reads its configuration when it boots: a private in-memory database per app.
    previousDb = process.env.SAMPLE_DB;
    process.env.SAMPLE_DB = ':memory:';
    app = await createTestApp(platform, { imports: [AppModule] });
  });

  afterAll(async () => {
    await app.close();
    if (previousDb === undefined) delete process.env.SAMPLE_DB;
    else process.env.SAMPLE_DB = previousDb;
  });

  it('serves the page at /: HTML, stylesheet, its config and the supertokens-web-js bundle', async () => {
    const page = await http().get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(page.text).toContain('<script src="config.js"></script>');
    expect(page.text).toContain('<script src="app.js"></script>');
    expect((await http().get('/styles.css').expect(200)).headers['content-type']).toMatch(/^text\/css/);

    const config = await http().get('/config.js').expect(200);
    expect(config.headers['content-type']).toMatch(/^text\/javascript/);
    expect(config.text).toBe('window.NEWSROOM_CONFIG = {"apiBasePath":"/auth","tokenTransferMethod":"cookie"};\n');

    // The bundle (built in beforeAll, as `npm start` does) is SuperTokens' SDK plus the page.
    const script = await http().get('/app.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain('front-token');
    expect(script.text).toContain('NEWSROOM_CONFIG');
  });

  it('a demo user signs in (header mode) and reads /me with the bearer token', async () => {
    const signIn = await http().post('/signin').send({ email: alice.email, password: alice.password }).expect(200);
    expect(signIn.body).toEqual({
      status: 'OK',
      user: { id: expect.any(String), email: alice.email, createdAt: expect.any(String), emailVerified: true },
    });
    const { access, refresh, front } = headerTokens(signIn);
    expect(access).toEqual(expect.any(String));
    expect(refresh).toEqual(expect.any(String));
    expect(decodeFrontToken(front).uid).toBe(signIn.body.user.id);
    expect(setCookie(signIn, 'sAccessToken')).toBeUndefined();

    // The second factor comes first; its response carries the token that passes.
    expect((await http().get('/me').set('Authorization', `Bearer ${access}`).expect(403)).body.claimValidationErrors).toEqual([
      expect.objectContaining({ id: '2fa-completed' }),
    ]);
    const complete = await completeSecondFactor(alice.email, access);
    const me = await http().get('/me').set('Authorization', `Bearer ${complete}`).expect(200);
    expect(me.body).toMatchObject({ userId: signIn.body.user.id, email: alice.email, tenantId: 'public' });
    expect(me.body.accessTokenPayload).toMatchObject({ sub: signIn.body.user.id, sessionHandle: me.body.sessionHandle });
  });

  it('emails are matched case-insensitively and trimmed', async () => {
    await http().post('/signin').send({ email: `  ${alice.email.toUpperCase()} `, password: alice.password }).expect(200);
  });

  it('a new user signs up, is signed in at once (with 2FA and email verification pending), and can sign in again later', async () => {
    const signUp = await http().post('/signup').send({ email: 'carol@example.com', password: 'carol-password' }).expect(201);
    expect(signUp.body.user).toMatchObject({ email: 'carol@example.com', emailVerified: false });
    expect(decodeFrontToken(headerTokens(signUp).front).uid).toBe(signUp.body.user.id);
    const status = await http().get('/2fa/status').set('Authorization', `Bearer ${headerTokens(signUp).access}`).expect(200);
    expect(status.body).toMatchObject({ completed: false });
    const me = await http().get('/me').set('Authorization', `Bearer ${headerTokens(signUp).access}`).expect(403);
    expect(me.body.claimValidationErrors.map((e: { id: string }) => e.id)).toEqual(['st-ev', '2fa-completed']);

    const again = await http().post('/signin').send({ email: 'carol@example.com', password: 'carol-password' }).expect(200);
    expect(again.body.user.id).toBe(signUp.body.user.id);
    expect(headerTokens(again).access).not.toBe(headerTokens(signUp).access);
  });

  it('signing up twice with one email answers 409 and creates no session', async () => {
    await http().post('/signup').send({ email: 'dave@example.com', password: 'dave-password' }).expect(201);
    const duplicate = await http().post('/signup').send({ email: 'Dave@Example.com', password: 'other-password' }).expect(409);
    expect(duplicate.body).toEqual({ message: 'email already registered' });
    expect(duplicate.headers['st-access-token']).toBeUndefined();
  });

  it.each([
    ['a wrong password', { email: alice.email, password: 'not-her-password' }],
    ['an unknown email', { email: 'nobody@example.com', password: 'whatever-password' }],
  ])('%s answers 401 wrong credentials and no tokens', async (_case, body) => {
    const res = await http().post('/signin').send(body).expect(401);
    expect(res.body).toEqual({ message: 'wrong credentials' });
    expect(res.headers['st-access-token']).toBeUndefined();
    expect(res.headers['front-token']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  describe.each(['/signin', '/signup'])('%s refuses bad bodies with 400 JSON', (route) => {
    it.each<[string, string | object | undefined]>([
      ['no body', undefined],
      ['an empty object', {}],
      ['a missing password', { email: alice.email }],
      ['a missing email', { password: alice.password }],
      ['an email without @', { email: 'alice.example.com', password: alice.password }],
      ['an email that is a number', { email: 42, password: alice.password }],
      ['a password that is a number', { email: alice.email, password: 12345678 }],
      ['an empty password', { email: alice.email, password: '' }],
      ['a JSON array', '[{"email":"alice@example.com","password":"alice-password"}]'],
      ['malformed JSON', '{"email": "alice@example.com", "password": '],
      ['JSON null', 'null'],
    ])('%s', async (_case, body) => {
      let req = http().post(route).set(json);
      if (body !== undefined) req = req.send(typeof body === 'string' ? body : JSON.stringify(body));
      const res = await req;
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.message).toEqual(expect.any(String));
      expect(res.headers['st-access-token']).toBeUndefined();
    });
  });

  it('sign-up asks for passwords of at least 8 characters', async () => {
    const res = await http().post('/signup').send({ email: 'erin@example.com', password: 'short' }).expect(400);
    expect(res.body).toEqual({ message: 'password must have at least 8 characters' });
  });

  it('/me needs a session: none is 401 unauthorised, a bad token is 401 try refresh token', async () => {
    expect((await http().get('/me').expect(401)).body).toEqual({ message: 'unauthorised' });
    const bad = await http().get('/me').set('Authorization', 'Bearer not.a.token').expect(401);
    expect(bad.body).toEqual({ message: 'try refresh token' });
  });

  it('sign-out through the library route revokes the session and clears the tokens', async () => {
    const signIn = await http().post('/signin').send({ email: alice.email, password: alice.password }).expect(200);
    const { access, refresh } = headerTokens(signIn);

    const signOut = await http().post('/auth/signout').set('Authorization', `Bearer ${access}`).expect(200);
    expect(signOut.body).toEqual({ status: 'OK' });
    expect(signOut.headers['front-token']).toBe('remove');
    expect(signOut.headers['st-access-token']).toBe('');

    const refreshAfter = await http().post('/auth/session/refresh').set('Authorization', `Bearer ${refresh}`).expect(401);
    expect(refreshAfter.body).toEqual({ message: 'unauthorised' });
  });

  it('cookie mode (st-auth-mode: cookie): sign in, /me, refresh and sign out with cookies only, as the demo page does', async () => {
    const signIn = await http()
      .post('/signin')
      .set('st-auth-mode', 'cookie')
      .send({ email: alice.email, password: alice.password })
      .expect(200);
    expect(signIn.headers['st-access-token']).toBeUndefined();
    const access = setCookie(signIn, 'sAccessToken')!;
    const refresh = setCookie(signIn, 'sRefreshToken')!;
    expect(access.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
    expect(refresh.attributes).toMatchObject({ path: '/auth/session/refresh', httponly: true, samesite: 'Lax' });
    expect(decodeFrontToken(signIn.headers['front-token']).uid).toBe(signIn.body.user.id);

    const complete = await completeSecondFactor(alice.email, access.value, 'cookie');
    const me = await http().get('/me').set('Cookie', `sAccessToken=${complete}`).expect(200);
    expect(me.body.email).toBe(alice.email);

    // The refreshed token is built from the stored payload, where 2FA is complete.
    const refreshed = await http().post('/auth/session/refresh').set('Cookie', `sRefreshToken=${refresh.value}`).expect(200);
    const rotated = cookieTokens(refreshed);
    expect(rotated.access).toEqual(expect.any(String));
    expect(rotated.refresh).not.toBe(refresh.value);
    await http().get('/me').set('Cookie', `sAccessToken=${rotated.access}`).expect(200);

    const signOut = await http().post('/auth/signout').set('Cookie', `sAccessToken=${rotated.access}`).expect(200);
    expect(signOut.headers['front-token']).toBe('remove');
    for (const name of ['sAccessToken', 'sRefreshToken']) {
      const cleared = setCookie(signOut, name)!;
      expect(cleared.value).toBe('');
      expect(new Date(cleared.attributes.expires as string).getTime()).toBe(0);
    }
    await http().post('/auth/session/refresh').set('Cookie', `sRefreshToken=${rotated.refresh}`).expect(401);
  });
});
