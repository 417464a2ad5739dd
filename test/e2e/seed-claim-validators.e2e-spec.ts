import type { INestApplication } from '@nestjs/common';
import { SessionService, UserRoleClaim, UserRolesService } from '../../src';
import { seed2faApp } from '../fixtures/seed-2fa.app';
import { EmailDirectory, seedEmailVerificationApp } from '../fixtures/seed-email-verification.app';
import { addRolesOnCreate, seedRolesApp } from '../fixtures/seed-roles.app';
import { expectNewAccessToken, expectNoNewAccessToken, SessionClient, type TransferMode } from '../support/session-client';
import { installClock, type TestClock } from '../support/clock';
import { createTestApp, PLATFORMS } from '../support/platforms';

/**
 * Claim validators work as the seed "Using claim validators" writes them: its scenarios, run
 * through HTTP the way its readers would write them in a Nest app.
 */

const MODES: TransferMode[] = ['header', 'cookie'];
const ROLES_OFF = { userRoles: { addRolesToSession: false, addPermissionsToSession: false } };

const notAdmin = (actualValue: string[]) => ({
  message: 'invalid claim',
  claimValidationErrors: [{ id: 'st-role', reason: { message: 'wrong value', expectedToInclude: 'admin', actualValue } }],
});

describe.each(PLATFORMS)('seed "Using claim validators" (%s)', (platform) => {
  describe('2FA: a global BooleanClaim validator, completed with session.setClaimValue', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp(platform, seed2faApp());
    });
    afterAll(() => app.close());

    it.each(MODES)('refuses protected routes until the second factor is done, then lets the new token in (%s mode)', async (mode) => {
      const user = new SessionClient(app, mode);
      await user.login({ userId: `2fa-${mode}` });
      expect(user.payload['2fa-completed']).toBeUndefined();

      // The validator fetches the missing claim (always false), writes it back, and refuses.
      const refused = await user.get('/dashboard');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: '2fa-completed', reason: { message: 'wrong value', expectedValue: true, actualValue: false } }],
      });
      expect(expectNewAccessToken(user, refused)['2fa-completed']).toEqual({ v: false, t: expect.any(Number) });
      const before2fa = user.access;

      // The 2FA route filters its own validator out of the global list and marks 2FA complete.
      const completed = await user.post('/2fa/complete');
      expect(completed.status).toBe(201);
      expect(completed.body).toEqual({ status: 'OK' });
      expect(expectNewAccessToken(user, completed)['2fa-completed']).toEqual({ v: true, t: expect.any(Number) });

      const allowed = await user.get('/dashboard');
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual({ userId: `2fa-${mode}`, secondFactor: { v: true, t: expect.any(Number) } });
      expectNoNewAccessToken(allowed);

      // The token from before completing 2FA still says false.
      expect((await user.get('/dashboard', before2fa)).status).toBe(403);
      // The session in the database says true: a refreshed token still passes.
      expect((await user.refreshSession()).status).toBe(200);
      expect((await user.get('/dashboard')).status).toBe(200);
    });

    it('starts every new session at "not completed" (the claim lives in the session, not in a database)', async () => {
      const first = new SessionClient(app);
      await first.login({ userId: '2fa-twice' });
      await first.post('/2fa/complete');
      expect((await first.get('/dashboard')).status).toBe(200);

      const second = new SessionClient(app);
      await second.login({ userId: '2fa-twice' });
      expect((await second.get('/dashboard')).status).toBe(403);
    });

    it('does not run the global validator on the refresh and sign-out routes', async () => {
      const user = new SessionClient(app);
      await user.login({ userId: '2fa-routes' });
      expect((await user.get('/dashboard')).status).toBe(403);

      expect((await user.refreshSession()).status).toBe(200);
      const signedOut = await user.signOut();
      expect(signedOut.status).toBe(200);
      expect(signedOut.body).toEqual({ status: 'OK' });
    });
  });

  describe('the admin route: new AuthGuard({ overrideGlobalClaimValidators: [...globals, UserRoleClaim.validators.includes("admin")] })', () => {
    let app: INestApplication;
    let roles: UserRolesService;
    let clock: TestClock | undefined;
    beforeAll(async () => {
      app = await createTestApp(platform, seedRolesApp());
      roles = app.get(UserRolesService);
      await roles.createNewRoleOrAddPermissions('admin', ['edit']);
    });
    afterAll(() => app.close());
    afterEach(() => {
      clock?.restore();
      clock = undefined;
    });

    it('refuses a non-admin with a 403 naming st-role', async () => {
      const user = new SessionClient(app);
      await user.login({ userId: 'admin-route-bob' });

      const res = await user.post('/update-blog');

      expect(res.status).toBe(403);
      expect(res.body).toEqual(notAdmin([]));
    });

    it('lets an admin in', async () => {
      await roles.addRoleToUser('public', 'admin-route-ann', 'admin');
      const user = new SessionClient(app);
      await user.login({ userId: 'admin-route-ann' });

      const res = await user.post('/update-blog');

      expect(res.status).toBe(201);
      expect(res.text).toBe('true');
    });

    it('with maxAge 0, lets a user promoted in the database in on the next request, without signing in again', async () => {
      const user = new SessionClient(app);
      await user.login({ userId: 'admin-route-carol' });
      expect((await user.post('/update-blog-now')).status).toBe(403);

      await roles.addRoleToUser('public', 'admin-route-carol', 'admin');
      const res = await user.post('/update-blog-now');

      expect(res.status).toBe(201);
      expect(res.text).toBe('true');
      expect(expectNewAccessToken(user, res)['st-role']).toEqual({ v: ['admin'], t: expect.any(Number) });
      // The same session handle: no new sign-in happened.
      expect(user.payload.sessionHandle).toBe(user.handle);
    });

    it('with the default max age (300 s), sees the promotion once the roles in the session are older than 5 minutes', async () => {
      clock = installClock();
      const user = new SessionClient(app);
      await user.login({ userId: 'admin-route-dave' });
      expect((await user.post('/update-blog')).status).toBe(403);

      await roles.addRoleToUser('public', 'admin-route-dave', 'admin');
      const fresh = await user.post('/update-blog');
      expect(fresh.status).toBe(403);
      expect(fresh.body).toEqual(notAdmin([]));
      expectNoNewAccessToken(fresh);

      clock.advance(299);
      expect((await user.post('/update-blog')).status).toBe(403);

      clock.advance(2);
      const promoted = await user.post('/update-blog');
      expect(promoted.status).toBe(201);
      const payload = expectNewAccessToken(user, promoted);
      expect(payload['st-role'].v).toEqual(['admin']);
      expect(payload['st-role'].t).toBeGreaterThanOrEqual(Date.now() - 1000);
      expect(payload.sessionHandle).toBe(user.handle);
    });

    it('gates the edit route on PermissionClaim.validators.includes("edit") (permissions of the user\'s roles)', async () => {
      await roles.addRoleToUser('public', 'editor-erin', 'admin');
      const editor = new SessionClient(app);
      await editor.login({ userId: 'editor-erin' });
      const reader = new SessionClient(app);
      await reader.login({ userId: 'reader-rick' });

      const edited = await editor.post('/edit-post');
      const refused = await reader.post('/edit-post');

      expect(edited.status).toBe(201);
      expect(edited.body).toEqual({ edited: true });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        message: 'invalid claim',
        claimValidationErrors: [{ id: 'st-perm', reason: { message: 'wrong value', expectedToInclude: 'edit', actualValue: [] } }],
      });
    });

    it('checking the roles yourself and throwing INVALID_CLAIMS gives the client the same 403 shape', async () => {
      await roles.addRoleToUser('public', 'manual-admin', 'admin');
      const admin = new SessionClient(app);
      await admin.login({ userId: 'manual-admin' });
      const user = new SessionClient(app);
      await user.login({ userId: 'manual-user' });

      const refused = await user.post('/update-blog-manual');
      const allowed = await admin.post('/update-blog-manual');

      expect(refused.status).toBe(403);
      expect(refused.text).toBe('{"message":"invalid claim","claimValidationErrors":[{"id":"st-role"}]}');
      expect(allowed.status).toBe(201);
      expect(allowed.body).toEqual({ status: 'OK' });
    });
  });

  describe('adding the roles claim to a session', () => {
    it('during creation: the createNewSession override spreading UserRoleClaim.build(...) puts st-role in the first token', async () => {
      const app = await createTestApp(platform, seedRolesApp({ ...ROLES_OFF, createNewSession: addRolesOnCreate }));
      try {
        const roles = app.get(UserRolesService);
        await roles.createNewRoleOrAddPermissions('admin', ['edit']);
        await roles.addRoleToUser('public', 'built-admin', 'admin');
        const user = new SessionClient(app);
        const startedAt = Date.now();

        await user.login({ userId: 'built-admin' });

        expect(user.payload['st-role']).toEqual({ v: ['admin'], t: expect.any(Number) });
        expect(user.payload['st-role'].t).toBeGreaterThanOrEqual(startedAt);
        expect(user.payload['st-perm']).toBeUndefined();
        const info = await app.get(SessionService).getSessionInformation(user.handle!);
        expect(info!.customClaimsInAccessTokenPayload).toEqual({ 'st-role': user.payload['st-role'] });
        expect((await user.post('/update-blog-manual')).status).toBe(201);
      } finally {
        await app.close();
      }
    });

    describe('after creation: fetchAndSetClaim', () => {
      let app: INestApplication;
      let roles: UserRolesService;
      let sessions: SessionService;
      beforeAll(async () => {
        app = await createTestApp(platform, seedRolesApp(ROLES_OFF));
        roles = app.get(UserRolesService);
        sessions = app.get(SessionService);
        await roles.createNewRoleOrAddPermissions('admin');
      });
      afterAll(() => app.close());

      it.each(MODES)('session.fetchAndSetClaim(UserRoleClaim) sends the new value in a new token in the same response (%s mode)', async (mode) => {
        const userId = `fetch-online-${mode}`;
        const user = new SessionClient(app, mode);
        await user.login({ userId });
        expect(user.payload['st-role']).toBeUndefined();
        await roles.addRoleToUser('public', userId, 'admin');

        const res = await user.post('/refresh-roles');

        expect(res.status).toBe(201);
        expect(res.body).toEqual({ roles: ['admin'] });
        expect(expectNewAccessToken(user, res)['st-role']).toEqual({ v: ['admin'], t: expect.any(Number) });
        expect((await user.post('/update-blog-manual')).status).toBe(201);
      });

      it('SessionService.fetchAndSetClaim(handle, UserRoleClaim) updates the session offline; the next refresh carries it', async () => {
        const user = new SessionClient(app);
        await user.login({ userId: 'fetch-offline' });
        await roles.addRoleToUser('public', 'fetch-offline', 'admin');

        await expect(sessions.fetchAndSetClaim(user.handle!, UserRoleClaim)).resolves.toBe(true);

        // The token the user holds was signed before: it does not have the roles yet.
        expect(user.payload['st-role']).toBeUndefined();
        expect((await user.post('/update-blog-manual')).status).toBe(403);
        expect(await sessions.getClaimValue(user.handle!, UserRoleClaim)).toEqual({ status: 'OK', value: ['admin'] });

        expect((await user.refreshSession()).status).toBe(200);
        expect(user.payload['st-role']).toEqual({ v: ['admin'], t: expect.any(Number) });
        expect((await user.post('/update-blog-manual')).status).toBe(201);
      });
    });
  });

  describe('email verification (REQUIRED): false is re-checked after 10 s, true is not re-checked', () => {
    let app: INestApplication;
    let directory: EmailDirectory;
    let clock: TestClock;
    beforeAll(async () => {
      directory = new EmailDirectory();
      app = await createTestApp(platform, seedEmailVerificationApp(directory));
    });
    afterAll(() => app.close());
    beforeEach(() => {
      clock = installClock();
    });
    afterEach(() => clock.restore());

    const unverified = {
      message: 'invalid claim',
      claimValidationErrors: [{ id: 'st-ev', reason: { message: 'wrong value', expectedValue: true, actualValue: false } }],
    };

    it('lets a user in within seconds of verifying, then stops asking until the value is 5 minutes old', async () => {
      const user = new SessionClient(app);
      await user.login({ userId: 'ev-alice' });
      // Added at sign-in (one check), as false.
      expect(directory.checks.filter((c) => c === 'ev-alice@public')).toHaveLength(1);
      expect(user.payload['st-ev']).toEqual({ v: false, t: expect.any(Number) });
      const checks = () => directory.checks.filter((c) => c === 'ev-alice@public').length;

      const refused = await user.get('/profile');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(unverified);
      expect(checks()).toBe(1);
      expectNoNewAccessToken(refused);

      directory.verify('ev-alice');
      clock.advance(5);
      // Within 10 s a false is not re-checked: still refused, and the source was not asked.
      const stillRefused = await user.get('/profile');
      expect(stillRefused.status).toBe(403);
      expect(stillRefused.body).toEqual(unverified);
      expect(checks()).toBe(1);

      clock.advance(6);
      const allowed = await user.get('/profile');
      expect(allowed.status).toBe(200);
      expect(checks()).toBe(2);
      const payload = expectNewAccessToken(user, allowed);
      expect(payload['st-ev']).toEqual({ v: true, t: expect.any(Number) });
      expect(payload['st-ev'].t).toBeGreaterThanOrEqual(Date.now() - 1000);
      expect(allowed.body).toEqual({ userId: 'ev-alice', emailVerified: payload['st-ev'] });

      // A true is not re-checked on the following requests...
      clock.advance(200);
      const later = await user.get('/profile');
      expect(later.status).toBe(200);
      expectNoNewAccessToken(later);
      directory.unverify('ev-alice');
      clock.advance(99);
      expect((await user.get('/profile')).status).toBe(200);
      expect(checks()).toBe(2);

      // ...until it is older than maxAge (300 s): then the source is asked again.
      clock.advance(2);
      const rechecked = await user.get('/profile');
      expect(checks()).toBe(3);
      expect(rechecked.status).toBe(403);
      expect(rechecked.body).toEqual(unverified);
      expect(expectNewAccessToken(user, rechecked)['st-ev']).toEqual({ v: false, t: expect.any(Number) });
    });

    it('writes a re-checked false back, so the source is asked again only 10 s later', async () => {
      const user = new SessionClient(app);
      await user.login({ userId: 'ev-bob' });
      const checks = () => directory.checks.filter((c) => c === 'ev-bob@public').length;
      const signedInAt = user.payload['st-ev'].t;

      clock.advance(11);
      const refused = await user.get('/profile');
      expect(refused.status).toBe(403);
      expect(checks()).toBe(2);
      const payload = expectNewAccessToken(user, refused);
      expect(payload['st-ev'].v).toBe(false);
      expect(payload['st-ev'].t).toBeGreaterThanOrEqual(signedInAt + 11_000);

      clock.advance(5);
      expect((await user.get('/profile')).status).toBe(403);
      expect(checks()).toBe(2);
      clock.advance(6);
      expect((await user.get('/profile')).status).toBe(403);
      expect(checks()).toBe(3);
    });

    it('leaves the verify-email page reachable (its guard filters st-ev out of the global validators)', async () => {
      const user = new SessionClient(app);
      await user.login({ userId: 'ev-carl' });

      const res = await user.get('/verify-email-page');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ userId: 'ev-carl', message: 'check your inbox' });
    });

    it('in OPTIONAL mode adds st-ev to sessions without requiring it', async () => {
      const optionalDirectory = new EmailDirectory();
      const optionalApp = await createTestApp(platform, seedEmailVerificationApp(optionalDirectory, 'OPTIONAL'));
      try {
        const user = new SessionClient(optionalApp);
        await user.login({ userId: 'ev-optional' });

        const res = await user.get('/profile');

        expect(res.status).toBe(200);
        expect(res.body).toEqual({ userId: 'ev-optional', emailVerified: { v: false, t: expect.any(Number) } });
        expect(optionalDirectory.checks).toEqual(['ev-optional@public']);
      } finally {
        await optionalApp.close();
      }
    });
  });
});
