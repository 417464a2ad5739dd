import type { INestApplication } from '@nestjs/common';
import { SESSION_DATA_SOURCE, SessionService, SessionStore, UserRolesService } from '../../src';
import { CustomStoreController, customStoreApp } from '../fixtures/custom-store.app';
import { memoryStores } from '../support/memory-stores';
import { createTestApp, PLATFORMS } from '../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../support/session-client';
import { jwtHeader } from '../support/tokens';

/**
 * The storage seam end to end: an app given `store`, `signingKeyStore` and `roleStore` (the
 * in-memory stores of the test support) opens no database at all and runs the core scenarios —
 * sign-in, verification, online and offline merges, checkDatabase, refresh rotation and theft,
 * sign-out, session data, roles and the role claim, signing-key rotation and JWKS — on Express
 * and Fastify, in both transfer modes.
 */
describe.each(PLATFORMS)('an app on custom stores (%s)', (platform) => {
  let app: INestApplication;
  let stores: ReturnType<typeof memoryStores>;
  let sessions: SessionService;
  beforeAll(async () => {
    stores = memoryStores();
    app = await createTestApp(platform, customStoreApp(stores));
    sessions = app.get(SessionService);
    await app.get(UserRolesService).createNewRoleOrAddPermissions('admin', ['everything']);
  });
  afterAll(() => app.close());

  it('opens no DataSource and injects the given store everywhere', () => {
    expect(app.get(SESSION_DATA_SOURCE)).toBeUndefined();
    expect(app.get(SessionStore)).toBe(stores.store);
    expect(app.get(CustomStoreController).store).toBe(stores.store);
  });

  describe.each(TRANSFER_MODES)('%s mode', (mode) => {
    it('signs in, verifies, re-issues on an online merge, keeps session data', async () => {
      const client = new SessionClient(app, mode);
      const { handle } = await client.login({ userId: 'alice', payload: { plan: 'free' }, data: { cart: [1] } });
      expect((await stores.store.find(handle, Date.now()))!.userId).toBe('alice');

      const me = await client.get('/me');
      expect(me.status).toBe(200);
      expect(me.body.payload.plan).toBe('free');
      expect((await client.post('/merge', { plan: 'pro' })).status).toBe(201);
      expect(client.payload.plan).toBe('pro');
      expect((await stores.store.find(handle, Date.now()))!.accessTokenPayload.plan).toBe('pro');
      expect((await client.get('/data')).body).toEqual({ data: { cart: [1] } });
    });

    it('an offline merge reaches a checkDatabase route at once; a revoked session is refused there', async () => {
      const client = new SessionClient(app, mode);
      const { handle } = await client.login({ userId: 'bob' });
      expect(await sessions.mergeIntoAccessTokenPayload(handle, { flag: true })).toBe(true);
      expect((await client.get('/strict')).body.payload.flag).toBe(true);
      expect(await sessions.revokeSession(handle)).toBe(true);
      const refused = await client.get('/strict');
      expect(refused.status).toBe(401);
      client.expectTokensCleared(refused);
    });

    it('rotates the refresh token; a superseded token presented again is theft and revokes the session', async () => {
      const client = new SessionClient(app, mode);
      const { handle, refresh: first } = await client.login({ userId: 'carol' });
      expect((await client.refreshSession()).status).toBe(200);
      expect((await client.refreshSession()).status).toBe(200);
      expect((await client.get('/me')).status).toBe(200);

      const theft = await client.refreshSession(first);
      expect(theft.status).toBe(401);
      expect(theft.body).toEqual({ message: 'token theft detected' });
      client.expectTokensCleared(theft);
      expect(await stores.store.find(handle, Date.now())).toBeUndefined();
    });

    it('signs out: the session is gone and the tokens cleared', async () => {
      const client = new SessionClient(app, mode);
      const { handle } = await client.login({ userId: 'dave' });
      const res = await client.signOut();
      expect(res.status).toBe(200);
      client.expectTokensCleared(res);
      expect(await sessions.getSessionInformation(handle)).toBeUndefined();
    });
  });

  it('roles live in the role store: the role claim lets an admin in and refuses others with 403', async () => {
    await app.get(UserRolesService).addRoleToUser('public', 'erin', 'admin');
    const admin = new SessionClient(app);
    await admin.login({ userId: 'erin' });
    const user = new SessionClient(app);
    await user.login({ userId: 'frank' });

    expect((await admin.get('/admin')).body).toEqual({ admin: true });
    const refused = await user.get('/admin');
    expect(refused.status).toBe(403);
    expect(refused.body.claimValidationErrors[0].id).toBe('st-role');
    expect(await stores.roleStore.rolesOfUser('public', 'erin')).toEqual(['admin']);
  });

  it('signing keys live in the key store: a rotation adds a key, and tokens of both keys verify', async () => {
    const before = new SessionClient(app);
    await before.login();
    await sessions.rotateSigningKey();
    const after = new SessionClient(app);
    await after.login();

    expect(jwtHeader(after.access!).kid).not.toBe(jwtHeader(before.access!).kid);
    expect((await stores.signingKeyStore.list()).map((k) => k.kid)).toEqual(expect.arrayContaining([jwtHeader(before.access!).kid, jwtHeader(after.access!).kid]));
    expect(sessions.getJWKS().keys.map((k) => k.kid)).toEqual([jwtHeader(after.access!).kid, jwtHeader(before.access!).kid]);
    expect((await before.get('/me')).status).toBe(200);
    expect((await after.get('/me')).status).toBe(200);
  });
});
