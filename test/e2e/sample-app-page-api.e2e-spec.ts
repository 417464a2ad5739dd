import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadSampleConfig } from '../../sample-app/config/sample-config';
import { Outbox } from '../../sample-app/outbox/outbox.service';
import { DEMO_USERS } from '../../sample-app/users/demo-users.seeder';
import { SUPERTOKENS_REQUEST_HEADERS } from '../../sample-app/web/cors-options';
import { startSampleApi } from '../support/sample-site';
import { decodeFrontToken, headerTokens, jwtPayload } from '../support/tokens';

/**
 * What the sample page needs from the sample app's server (issue 13), over HTTP: CORS for a page
 * on another origin (as `npm start` configures it from WEBSITE_ORIGIN), the online merge behind
 * the theme switch, and the email-verification status route the SDK polls.
 */
const WEBSITE = 'http://127.0.0.1:5173';
const [alice] = DEMO_USERS;

describe('sample app: the API the page uses', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app } = await startSampleApi({ SAMPLE_DB: ':memory:', WEBSITE_ORIGIN: WEBSITE }));
  });
  afterAll(() => app.close());

  /** Alice signed in (header mode) with her second factor done: her current access token. */
  async function aliceSignedIn(): Promise<string> {
    const signIn = await http().post('/signin').send({ email: alice.email, password: alice.password }).expect(200);
    const access = headerTokens(signIn).access;
    const code = app.get(Outbox).latest('two-factor-code', alice.email, { sessionHandle: jwtPayload(access).sessionHandle })!.data.code;
    const verified = await http().post('/2fa/verify').set('Authorization', `Bearer ${access}`).send({ code }).expect(200);
    return headerTokens(verified).access;
  }

  describe('CORS for WEBSITE_ORIGIN', () => {
    it('a preflight from the website allows credentials and every header the SDK sends', async () => {
      const res = await http()
        .options('/signin')
        .set('Origin', WEBSITE)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,rid,fdi-version,st-auth-mode,authorization,anti-csrf')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(WEBSITE);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-headers'].split(',')).toEqual(SUPERTOKENS_REQUEST_HEADERS);
      expect(res.headers.vary).toMatch(/Origin/);
    });

    it('an answer to the website exposes the token headers; another origin gets no CORS headers', async () => {
      const res = await http().post('/signin').set('Origin', WEBSITE).send({ email: alice.email, password: alice.password }).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(WEBSITE);
      const exposed = res.headers['access-control-expose-headers'].split(',').map((name: string) => name.trim());
      expect(exposed).toEqual(expect.arrayContaining(['front-token', 'st-access-token', 'st-refresh-token']));

      const other = await http().post('/signin').set('Origin', 'http://evil.example').send({ email: alice.email, password: alice.password });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('WEBSITE_ORIGIN takes origins only, and none means CORS off', () => {
      expect(loadSampleConfig({ WEBSITE_ORIGIN: ' http://a.example:8080/ , https://b.example ' }).websiteOrigins).toEqual(['http://a.example:8080', 'https://b.example']);
      expect(loadSampleConfig({}).websiteOrigins).toEqual([]);
      expect(() => loadSampleConfig({ WEBSITE_ORIGIN: 'http://a.example/app' })).toThrow('WEBSITE_ORIGIN takes origins');
      expect(() => loadSampleConfig({ WEBSITE_ORIGIN: 'a.example' })).toThrow('WEBSITE_ORIGIN must be an absolute http(s) URL');
      expect(() => loadSampleConfig({ TOKEN_TRANSFER_METHOD: 'both' })).toThrow('TOKEN_TRANSFER_METHOD must be one of cookie, header');
      expect(() => loadSampleConfig({ REFRESH_GRACE_PERIOD: '-1' })).toThrow('REFRESH_GRACE_PERIOD must be an integer');
    });
  });

  describe('POST /me/preferences: the online merge behind the theme switch', () => {
    it('writes the theme into the payload; the same response carries the new token and front-token, same exp', async () => {
      const access = await aliceSignedIn();
      const res = await http().post('/me/preferences').set('Authorization', `Bearer ${access}`).send({ theme: 'dark' }).expect(200);
      expect(res.body).toEqual({ status: 'OK', theme: 'dark' });
      const merged = headerTokens(res);
      expect(jwtPayload(merged.access)).toMatchObject({ theme: 'dark', exp: jwtPayload(access).exp });
      expect(decodeFrontToken(merged.front).up.theme).toBe('dark');
    });

    it.each([[{}], [{ theme: 'blue' }], [{ theme: 1 }], [['dark']]])('refuses %j with 400 and changes nothing', async (body) => {
      const access = await aliceSignedIn();
      const res = await http().post('/me/preferences').set('Authorization', `Bearer ${access}`).send(body).expect(400);
      expect(res.body).toEqual({ message: 'the body must be {"theme": "light" | "dark"}' });
      expect(res.headers['st-access-token']).toBeUndefined();
    });

    it('needs a session that passed the sign-in steps', async () => {
      expect((await http().post('/me/preferences').send({ theme: 'dark' })).status).toBe(401);
      const signIn = await http().post('/signin').send({ email: alice.email, password: alice.password }).expect(200);
      const res = await http().post('/me/preferences').set('Authorization', `Bearer ${headerTokens(signIn).access}`).send({ theme: 'dark' });
      expect(res.status).toBe(403);
      expect(res.body.claimValidationErrors.map((e: { id: string }) => e.id)).toEqual(['2fa-completed']);
    });
  });

  it('GET /verify-email/status re-issues st-ev on every call (the SDK polls it and sees only front-tokens)', async () => {
    const access = await aliceSignedIn();
    const before = jwtPayload(access)['st-ev'];
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await http().get('/verify-email/status').set('Authorization', `Bearer ${access}`).expect(200);
    expect(res.body).toEqual({ verified: true });
    const after = decodeFrontToken(headerTokens(res).front).up['st-ev'] as { v: boolean; t: number };
    expect(after.v).toBe(true);
    expect(after.t).toBeGreaterThan(before.t);
  });
});
