import type { INestApplication } from '@nestjs/common';
import request, { type Response } from 'supertest';
import { AppModule } from '../../sample-app/app.module';
import { Outbox } from '../../sample-app/outbox/outbox.service';
import { CODE_TTL_SECONDS, MAX_ATTEMPTS } from '../../sample-app/two-factor/second-factor.service';
import { DEMO_USERS } from '../../sample-app/users/demo-users.seeder';
import { installClock, type TestClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { expectNewAccessToken, expectNoNewAccessToken, SessionClient, TRANSFER_MODES, type TransferMode } from '../support/session-client';
import { decodeFrontToken } from '../support/tokens';

/**
 * The sample app's claim flows work over HTTP, on Express and Fastify: roles, permissions,
 * email verification and the second factor gate exactly the routes they should.
 * 2FA codes and verification links are read from the app's `Outbox` (what the log shows).
 */

const [alice, bob] = DEMO_USERS;

const invalidClaim = (...claimValidationErrors: object[]) => ({ message: 'invalid claim', claimValidationErrors });
const secondFactorMissing = { id: '2fa-completed', reason: { message: 'wrong value', expectedValue: true, actualValue: false } };
const emailUnverified = { id: 'st-ev', reason: { message: 'wrong value', expectedValue: true, actualValue: false } };
const notAdmin = (actualValue: string[]) => ({ id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue } });
const cannotEdit = (actualValue: string[]) => ({ id: 'st-perm', reason: { message: 'wrong value', expectedToInclude: 'edit', actualValue } });

describe.each(PLATFORMS)('sample app claims (%s)', (platform) => {
  let app: INestApplication;
  let previousDb: string | undefined;
  const http = () => request(app.getHttpServer());
  const outbox = () => app.get(Outbox);

  /** One signed-in browser/device: the test client, signing in with an email and a password. */
  class User extends SessionClient {
    userId = '';

    constructor(
      readonly email: string,
      mode: TransferMode = 'header',
    ) {
      super(app, mode);
    }

    /** The 2FA code the app "sent" for this session. */
    get code(): string {
      const message = outbox().latest('two-factor-code', this.email, { sessionHandle: this.payload.sessionHandle });
      if (!message) throw new Error(`no 2FA code for ${this.email}`);
      return message.data.code;
    }

    async signIn(password: string): Promise<Response> {
      const { res } = await this.login({ email: this.email, password }, { path: '/signin', status: 200 });
      this.userId = res.body.user.id;
      return res;
    }

    async signUp(password: string): Promise<Response> {
      const { res } = await this.login({ email: this.email, password }, { path: '/signup' });
      this.userId = res.body.user.id;
      return res;
    }

    async completeSecondFactor(): Promise<Response> {
      const res = await this.post('/2fa/verify', { code: this.code });
      expect(res.status).toBe(200);
      return res;
    }
  }

  /** A demo user signed in with the second factor done. */
  async function signedIn(demo: { email: string; password: string }, mode: TransferMode = 'header'): Promise<User> {
    const user = new User(demo.email, mode);
    await user.signIn(demo.password);
    await user.completeSecondFactor();
    return user;
  }

  let clock: TestClock | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });

  beforeAll(async () => {
    previousDb = process.env.SAMPLE_DB;
    process.env.SAMPLE_DB = ':memory:';
    app = await createTestApp(platform, { imports: [AppModule] });
  });

  afterAll(async () => {
    await app.close();
    if (previousDb === undefined) delete process.env.SAMPLE_DB;
    else process.env.SAMPLE_DB = previousDb;
  });

  describe('a new session', () => {
    it('carries roles, permissions, the verified email and a pending second factor in its payload and front-token', async () => {
      const user = new User(alice.email);
      const res = await user.signIn(alice.password);
      const claims = { 'st-role': ['admin'], 'st-perm': ['delete', 'edit', 'read'], 'st-ev': true, '2fa-completed': false };
      for (const [key, value] of Object.entries(claims)) {
        expect(user.payload[key]).toEqual({ v: value, t: expect.any(Number) });
        expect(decodeFrontToken(res.headers['front-token']).up[key]).toEqual({ v: value, t: expect.any(Number) });
      }
      expect(user.code).toMatch(/^\d{6}$/);
    });

    it('bob is a plain user ("user": read only)', async () => {
      const user = new User(bob.email);
      await user.signIn(bob.password);
      expect(user.payload['st-role'].v).toEqual(['user']);
      expect(user.payload['st-perm'].v).toEqual(['read']);
    });
  });

  describe('2FA: the global 2fa-completed validator', () => {
    it.each(TRANSFER_MODES)('refuses guarded routes until the code is entered, then lets the new token in (%s mode)', async (mode) => {
      const user = new User(alice.email, mode);
      await user.signIn(alice.password);
      const firstToken = user.access;

      for (const path of ['/me', '/admin/dashboard', '/articles']) {
        const refused = await user.get(path);
        expect(refused.status).toBe(403);
        expect(refused.body).toEqual(invalidClaim(secondFactorMissing));
        expectNoNewAccessToken(refused);
      }

      const status = await user.get('/2fa/status');
      expect(status.status).toBe(200);
      expect(status.body).toEqual({ completed: false, pendingCode: { expiresAt: expect.any(String), attemptsLeft: MAX_ATTEMPTS } });

      const verified = await user.post('/2fa/verify', { code: user.code });
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({ status: 'OK' });
      expect(expectNewAccessToken(user, verified)['2fa-completed']).toEqual({ v: true, t: expect.any(Number) });

      const me = await user.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.email).toBe(alice.email);
      expectNoNewAccessToken(me);
      expect((await user.get('/2fa/status')).body).toEqual({ completed: true, pendingCode: null });

      // The token from before 2FA still says false; the stored session says true, so a refresh passes.
      expect((await user.get('/me', firstToken)).status).toBe(403);
      expect((await user.refreshSession()).status).toBe(200);
      expect((await user.get('/me')).status).toBe(200);
    });

    it('a wrong code is a 400 that counts an attempt and changes nothing', async () => {
      const user = new User(bob.email);
      await user.signIn(bob.password);
      const wrong = user.code === '000000' ? '000001' : '000000';
      const res = await user.post('/2fa/verify', { code: wrong });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'wrong code', attemptsLeft: MAX_ATTEMPTS - 1 });
      expectNoNewAccessToken(res);
      expect((await user.get('/me')).status).toBe(403);
      expect((await user.get('/2fa/status')).body.pendingCode.attemptsLeft).toBe(MAX_ATTEMPTS - 1);
    });

    it.each<[string, unknown]>([
      ['no body', undefined],
      ['a number', { code: 123456 }],
      ['five digits', { code: '12345' }],
      ['letters', { code: 'abcdef' }],
    ])('a malformed code (%s) is a 400 and no attempt', async (_case, body) => {
      const user = new User(bob.email);
      await user.signIn(bob.password);
      const res = await user.post('/2fa/verify', body as object | undefined);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'the body must be {"code": "<6 digits>"}' });
      expect((await user.get('/2fa/status')).body.pendingCode.attemptsLeft).toBe(MAX_ATTEMPTS);
    });

    it(`after ${MAX_ATTEMPTS} wrong codes even the right one is refused; a resent code works`, async () => {
      const user = new User(bob.email);
      await user.signIn(bob.password);
      const right = user.code;
      const wrong = right === '999999' ? '999998' : '999999';
      // Sent at once: the attempt counter must hold against parallel guesses.
      const guesses = await Promise.all(Array.from({ length: MAX_ATTEMPTS + 2 }, () => user.post('/2fa/verify', { code: wrong })));
      expect(guesses.map((r) => r.body.attemptsLeft).filter((n) => n !== undefined).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(guesses.filter((r) => r.body.message === 'too many wrong codes: ask for a new code with POST /2fa/resend')).toHaveLength(2);

      const refused = await user.post('/2fa/verify', { code: right });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ message: 'too many wrong codes: ask for a new code with POST /2fa/resend' });

      const resend = await user.post('/2fa/resend');
      expect(resend.status).toBe(200);
      expect(resend.body).toEqual({ status: 'OK', expiresAt: expect.any(String) });
      expect(user.code).not.toBeUndefined();
      await user.completeSecondFactor();
      expect((await user.get('/me')).status).toBe(200);
    });

    it(`a code expires after ${CODE_TTL_SECONDS / 60} minutes`, async () => {
      clock = installClock();
      const user = new User(bob.email);
      await user.signIn(bob.password);
      clock.advance(CODE_TTL_SECONDS + 1);
      const res = await user.post('/2fa/verify', { code: user.code });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'code expired: ask for a new code with POST /2fa/resend' });
      expect((await user.get('/2fa/status')).body).toEqual({ completed: false, pendingCode: null });
    });

    it("a code belongs to its session: another session's code is wrong", async () => {
      const first = new User(bob.email);
      await first.signIn(bob.password);
      const second = new User(bob.email);
      await second.signIn(bob.password);
      // Codes are random: should the two sessions draw the same one, the second asks for another,
      // so the check below always runs.
      while (second.code === first.code) expect((await second.post('/2fa/resend')).status).toBe(200);
      expect((await second.post('/2fa/verify', { code: first.code })).status).toBe(400);
      await second.completeSecondFactor();
      expect((await second.get('/me')).status).toBe(200);
      expect((await first.get('/me')).status).toBe(403);
    });

    it('sign-out and refresh do not need the second factor', async () => {
      const user = new User(bob.email);
      await user.signIn(bob.password);
      expect((await user.refreshSession()).status).toBe(200);
      const signOut = await user.post('/auth/signout');
      expect(signOut.status).toBe(200);
      expect(signOut.body).toEqual({ status: 'OK' });
    });
  });

  describe('admin route: UserRoleClaim.validators.includes("admin")', () => {
    it('refuses a non-admin with 403 naming st-role', async () => {
      const user = await signedIn(bob);
      const res = await user.get('/admin/dashboard');
      expect(res.status).toBe(403);
      expect(res.body).toEqual(invalidClaim(notAdmin(['user'])));
    });

    it('lets an admin in', async () => {
      const user = await signedIn(alice);
      const res = await user.get('/admin/dashboard');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        message: 'welcome to the admin dashboard',
        userId: user.userId,
        roles: { admin: ['delete', 'edit', 'read'], editor: ['edit', 'read'], user: ['read'] },
      });
      const users = await user.get('/admin/users');
      expect(users.body).toEqual(
        expect.arrayContaining([
          { id: user.userId, email: alice.email, emailVerified: true, roles: ['admin'] },
          { id: expect.any(String), email: bob.email, emailVerified: true, roles: expect.arrayContaining(['user']) },
        ]),
      );
    });

    it('still checks the global validators for an admin (2FA) and answers 401 without a session', async () => {
      const user = new User(alice.email);
      await user.signIn(alice.password);
      expect((await user.get('/admin/dashboard')).body).toEqual(invalidClaim(secondFactorMissing));
      expect((await http().get('/admin/dashboard')).status).toBe(401);
    });
  });

  describe('edit route: @RequireClaim(PermissionClaim.validators.includes("edit"))', () => {
    it('lets a reader read but not edit (403 naming st-perm)', async () => {
      const user = await signedIn(bob);
      const list = await user.get('/articles');
      expect(list.status).toBe(200);
      expect(list.body.map((a: { id: string }) => a.id)).toEqual(['1', '2']);
      const edit = await user.post('/articles/1/edit', { title: 'Hacked' });
      expect(edit.status).toBe(403);
      expect(edit.body).toEqual(invalidClaim(cannotEdit(['read'])));
      expect((await user.get('/articles/1')).body.title).toBe('Welcome');
    });

    it('lets a user with "edit" edit', async () => {
      const user = await signedIn(alice);
      const edit = await user.post('/articles/2/edit', { body: 'Edited by alice.' });
      expect(edit.status).toBe(200);
      expect(edit.body).toMatchObject({ id: '2', title: 'Claims 101', body: 'Edited by alice.', updatedBy: user.userId });
      expect((await user.post('/articles/2/edit', {})).status).toBe(400);
      expect((await user.post('/articles/2/edit', { title: '' })).status).toBe(400);
      expect((await user.post('/articles/404/edit', { title: 'x' })).status).toBe(404);
    });
  });

  describe('admin API: a granted role counts on the next request, without signing in again', () => {
    it('grant "editor": the next edit passes with the same token; revoke: the next edit is refused', async () => {
      const admin = await signedIn(alice);
      const user = await signedIn(bob);
      const otherDevice = await signedIn(bob, 'cookie');
      expect((await user.post('/articles/1/edit', { title: 'Before' })).status).toBe(403);
      const tokenBeforeGrant = user.access;

      const grant = await admin.post(`/admin/users/${user.userId}/roles`, { role: 'editor' });
      expect(grant.status).toBe(200);
      expect(grant.body).toEqual({ status: 'OK', changed: true, roles: ['editor', 'user'], sessionsUpdated: expect.any(Number) });
      expect(grant.body.sessionsUpdated).toBeGreaterThanOrEqual(2);

      // Bob's next request, with the token he already had: it passes, and carries a new token.
      const edit = await user.post('/articles/1/edit', { title: 'After' }, tokenBeforeGrant);
      expect(edit.status).toBe(200);
      expect(edit.body).toMatchObject({ id: '1', title: 'After', updatedBy: user.userId });
      const payload = expectNewAccessToken(user, edit);
      expect(payload['st-role'].v).toEqual(['editor', 'user']);
      expect(payload['st-perm'].v).toEqual(['edit', 'read']);
      expect((await user.post('/articles/1/edit', { title: 'Again' })).status).toBe(200);
      // Every session of the user got it, whatever its transfer method.
      expect((await otherDevice.post('/articles/1/edit', { title: 'From the other device' })).status).toBe(200);

      const revoke = await admin.delete(`/admin/users/${user.userId}/roles/editor`);
      expect(revoke.status).toBe(200);
      expect(revoke.body).toMatchObject({ status: 'OK', changed: true, roles: ['user'] });
      const refused = await user.post('/articles/1/edit', { title: 'Too late' });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(invalidClaim(cannotEdit(['read'])));
    });

    it('grant "admin": the next admin request passes; revoke: refused again; a refresh carries the roles too', async () => {
      const admin = await signedIn(alice);
      const user = await signedIn(bob);
      expect((await user.get('/admin/dashboard')).status).toBe(403);

      expect((await admin.post(`/admin/users/${user.userId}/roles`, { role: 'admin' })).status).toBe(200);
      const dashboard = await user.get('/admin/dashboard');
      expect(dashboard.status).toBe(200);
      expect(expectNewAccessToken(user, dashboard)['st-role'].v).toEqual(['admin', 'user']);
      // Granting twice changes nothing.
      expect((await admin.post(`/admin/users/${user.userId}/roles`, { role: 'admin' })).body).toMatchObject({ changed: false });

      expect((await admin.delete(`/admin/users/${user.userId}/roles/admin`)).status).toBe(200);
      const refused = await user.get('/admin/dashboard');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(invalidClaim(notAdmin(['user'])));

      expect((await user.refreshSession()).status).toBe(200);
      expect(user.payload['st-role'].v).toEqual(['user']);
    });

    it('only admins may grant; unknown users and roles are refused', async () => {
      const admin = await signedIn(alice);
      const user = await signedIn(bob);
      const selfGrant = await user.post(`/admin/users/${user.userId}/roles`, { role: 'admin' });
      expect(selfGrant.status).toBe(403);
      expect(selfGrant.body).toEqual(invalidClaim(notAdmin(['user'])));

      expect((await admin.post(`/admin/users/${user.userId}/roles`, { role: 'superuser' })).body).toEqual({ message: 'unknown role "superuser"' });
      expect((await admin.post(`/admin/users/${user.userId}/roles`, { role: 'superuser' })).status).toBe(400);
      expect((await admin.post(`/admin/users/${user.userId}/roles`, { name: 'admin' })).status).toBe(400);
      expect((await admin.post('/admin/users/no-such-user/roles', { role: 'admin' })).status).toBe(404);
      expect((await admin.delete(`/admin/users/${user.userId}/roles/superuser`)).status).toBe(404);
    });
  });

  describe('email verification: the global st-ev validator (mode REQUIRED)', () => {
    /** A new account with the second factor done and the email not verified yet. */
    async function newAccount(email: string): Promise<{ user: User; link: string }> {
      const user = new User(email);
      const signUp = await user.signUp('a-long-password');
      expect(signUp.body.user.emailVerified).toBe(false);
      expect(user.payload['st-ev']).toEqual({ v: false, t: expect.any(Number) });
      await user.completeSecondFactor();
      const link = outbox().latest('email-verification-link', email)!.data.link;
      expect(link).toMatch(/^http:\/\/localhost:\d+\/verify-email\?token=[A-Za-z0-9_-]{43}$/);
      return { user, link };
    }
    const pathOf = (link: string) => link.slice(link.indexOf('/verify-email'));

    it('refuses an unverified user with 403 naming st-ev; the verify link with the session passes at once', async () => {
      const { user, link } = await newAccount('dave@example.com');
      const refused = await user.get('/me');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(invalidClaim(emailUnverified));

      const verified = await user.get(pathOf(link));
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({ status: 'OK', email: 'dave@example.com', sessionUpdated: true });
      expect(expectNewAccessToken(user, verified)['st-ev']).toEqual({ v: true, t: expect.any(Number) });
      expect((await user.get('/me')).status).toBe(200);
      // New accounts get the "user" role.
      expect((await user.get('/articles')).status).toBe(200);

      // A link works once.
      const again = await http().get(pathOf(link));
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ message: 'invalid or expired verification link' });
    });

    it('a link opened without the session: GET /verify-email/status updates the session at once', async () => {
      const { user, link } = await newAccount('erin@example.com');
      const verified = await http().get(pathOf(link));
      expect(verified.body).toEqual({ status: 'OK', email: 'erin@example.com', sessionUpdated: false });

      // The session's false value was fetched less than 10 s ago: not re-checked yet.
      expect((await user.get('/me')).body).toEqual(invalidClaim(emailUnverified));
      const status = await user.get('/verify-email/status');
      expect(status.status).toBe(200);
      expect(status.body).toEqual({ verified: true });
      expect(expectNewAccessToken(user, status)['st-ev'].v).toBe(true);
      expect((await user.get('/me')).status).toBe(200);
    });

    it('a link opened without the session: after 10 s the validator re-checks false by itself', async () => {
      clock = installClock();
      const { user, link } = await newAccount('frank@example.com');
      expect((await user.get('/me')).status).toBe(403);
      await http().get(pathOf(link)).expect(200);
      expect((await user.get('/me')).status).toBe(403);
      clock.advance(11);
      const me = await user.get('/me');
      expect(me.status).toBe(200);
      expect(expectNewAccessToken(user, me)['st-ev'].v).toBe(true);
    });

    it('the 2FA, verification and sign-out routes work unverified; resend replaces the link', async () => {
      const user = new User('grace@example.com');
      await user.signUp('a-long-password');
      const firstLink = outbox().latest('email-verification-link', user.email)!.data.link;
      expect((await user.get('/2fa/status')).status).toBe(200);
      expect((await user.get('/verify-email/status')).body).toEqual({ verified: false });
      // Both steps pending: both validators fail, in the global order.
      expect((await user.get('/me')).body).toEqual(invalidClaim(emailUnverified, secondFactorMissing));

      expect((await user.post('/verify-email/resend')).body).toEqual({ status: 'OK' });
      const secondLink = outbox().latest('email-verification-link', user.email)!.data.link;
      expect(secondLink).not.toBe(firstLink);
      expect((await http().get(pathOf(firstLink))).status).toBe(400);
      expect((await user.get(pathOf(secondLink))).body).toMatchObject({ sessionUpdated: true });
      expect((await user.post('/verify-email/resend')).body).toEqual({ status: 'EMAIL_ALREADY_VERIFIED_ERROR' });

      // Email verified, 2FA still pending.
      expect((await user.get('/me')).body).toEqual(invalidClaim(secondFactorMissing));
      expect((await user.post('/auth/signout')).status).toBe(200);
    });

    it.each([
      ['no token', '/verify-email'],
      ['a malformed token', '/verify-email?token=abc'],
      ['an unknown token', `/verify-email?token=${'A'.repeat(43)}`],
      ['two tokens', `/verify-email?token=${'A'.repeat(43)}&token=${'B'.repeat(43)}`],
    ])('%s is a 400', async (_case, path) => {
      const res = await http().get(path);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'invalid or expired verification link' });
    });
  });
});
