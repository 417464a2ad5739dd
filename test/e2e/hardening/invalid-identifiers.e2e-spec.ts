import type { INestApplication } from '@nestjs/common';
import { basicApp } from '../../fixtures/basic.app';
import { testDatabaseKind } from '../../support/database';
import { createTestApp, PLATFORMS } from '../../support/platforms';
import { SessionClient } from '../../support/session-client';
import { IDENTIFIER_MAX_LENGTH, InvalidIdentifierError, PrimitiveClaim, SessionService, UserRolesService } from '../../../src';

/**
 * `undefined` / `null` / non-string / over-long ids never widen a query (issue 9, item 4): every
 * public entry point that takes a user id, tenant id, session handle, role or permission refuses
 * anything but a non-empty string within its column's length with `InvalidIdentifierError`
 * (400 JSON over HTTP), before any query, and nothing is read, changed or revoked.
 */
const db = testDatabaseKind();

/** Values that are not ids; `limit` is the column's length (one more character is refused). */
const badIds = (limit: number): Array<[string, unknown]> => [
  ['undefined', undefined],
  ['null', null],
  ['empty', ''],
  ['a number', 42],
  ['an object', { $ne: 'x' }],
  ['an array', ['admin']],
  [`${limit + 1} characters`, 'x'.repeat(limit + 1)],
];

const Plan = new PrimitiveClaim<string>({ key: 'plan', fetchValue: () => 'gold' });

describe(`ids are checked at every public entry point (${db})`, () => {
  let app: INestApplication;
  let sessions: SessionService;
  let roles: UserRolesService;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    app = await createTestApp('express', basicApp());
    sessions = app.get(SessionService);
    roles = app.get(UserRolesService);
    alice = (await sessions.createNewSessionWithoutRequestResponse('public', 'alice', { a: 1 }, { secret: 'alice-private' })).getHandle();
    bob = (await sessions.createNewSessionWithoutRequestResponse('public', 'bob', { b: 1 }, { secret: 'bob-private' })).getHandle();
    await roles.createNewRoleOrAddPermissions('admin', ['delete-all']);
    await roles.addRoleToUser('public', 'alice', 'admin');
  });
  afterAll(() => app?.close());

  /** Nothing was revoked, merged or changed by a refused call. */
  async function expectUntouched(): Promise<void> {
    await expect(sessions.getAllSessionHandlesForUser('alice')).resolves.toEqual([alice]);
    await expect(sessions.getAllSessionHandlesForUser('bob')).resolves.toEqual([bob]);
    const a = await sessions.getSessionInformation(alice);
    expect(a?.sessionDataInDatabase).toEqual({ secret: 'alice-private' });
    expect(a?.customClaimsInAccessTokenPayload).toEqual(expect.objectContaining({ a: 1 }));
    expect(a?.customClaimsInAccessTokenPayload).not.toHaveProperty('x');
    await expect(roles.getRolesForUser('public', 'alice')).resolves.toEqual({ status: 'OK', roles: ['admin'] });
    await expect(roles.getPermissionsForRole('admin')).resolves.toEqual({ status: 'OK', permissions: ['delete-all'] });
  }

  /** Each entry point, called with `bad` in the place of one id. */
  const handleCalls: Array<[string, (bad: any) => Promise<unknown>]> = [
    ['getSessionInformation', (bad) => sessions.getSessionInformation(bad)],
    ['revokeSession', (bad) => sessions.revokeSession(bad)],
    ['revokeMultipleSessions (an element)', (bad) => sessions.revokeMultipleSessions([alice, bad])],
    ['updateSessionDataInDatabase', (bad) => sessions.updateSessionDataInDatabase(bad, { x: 1 })],
    ['mergeIntoAccessTokenPayload', (bad) => sessions.mergeIntoAccessTokenPayload(bad, { x: 1 })],
    ['fetchAndSetClaim', (bad) => sessions.fetchAndSetClaim(bad, Plan)],
    ['setClaimValue', (bad) => sessions.setClaimValue(bad, Plan, 'x')],
    ['getClaimValue', (bad) => sessions.getClaimValue(bad, Plan)],
    ['removeClaim', (bad) => sessions.removeClaim(bad, Plan)],
    ['validateClaimsForSessionHandle', (bad) => sessions.validateClaimsForSessionHandle(bad)],
  ];
  const userCalls: Array<[string, (bad: any) => Promise<unknown>]> = [
    ['getAllSessionHandlesForUser', (bad) => sessions.getAllSessionHandlesForUser(bad)],
    ['revokeAllSessionsForUser', (bad) => sessions.revokeAllSessionsForUser(bad)],
    ['mergeIntoAccessTokenPayloadForUser', (bad) => sessions.mergeIntoAccessTokenPayloadForUser(bad, { x: 1 })],
    ['createNewSessionWithoutRequestResponse', (bad) => sessions.createNewSessionWithoutRequestResponse('public', bad)],
    ['getGlobalClaimValidators', (bad) => sessions.getGlobalClaimValidators(bad, 'public')],
    ['validateClaimsInJWTPayload', (bad) => sessions.validateClaimsInJWTPayload('public', bad, {})],
    ['UserRolesService.getRolesForUser', (bad) => roles.getRolesForUser('public', bad)],
    ['UserRolesService.getRolesAndPermissionsForUser', (bad) => roles.getRolesAndPermissionsForUser('public', bad)],
    ['UserRolesService.addRoleToUser', (bad) => roles.addRoleToUser('public', bad, 'admin')],
    ['UserRolesService.removeUserRole', (bad) => roles.removeUserRole('public', bad, 'admin')],
  ];
  const tenantCalls: Array<[string, (bad: any) => Promise<unknown>]> = [
    ['getAllSessionHandlesForUser', (bad) => sessions.getAllSessionHandlesForUser('alice', bad)],
    ['revokeAllSessionsForUser', (bad) => sessions.revokeAllSessionsForUser('alice', bad)],
    ['mergeIntoAccessTokenPayloadForUser', (bad) => sessions.mergeIntoAccessTokenPayloadForUser('alice', { x: 1 }, bad)],
    ['createNewSessionWithoutRequestResponse', (bad) => sessions.createNewSessionWithoutRequestResponse(bad, 'alice')],
    ['getGlobalClaimValidators', (bad) => sessions.getGlobalClaimValidators('alice', bad)],
    ['validateClaimsInJWTPayload', (bad) => sessions.validateClaimsInJWTPayload(bad, 'alice', {})],
    ['UserRolesService.getRolesForUser', (bad) => roles.getRolesForUser(bad, 'alice')],
    ['UserRolesService.getRolesAndPermissionsForUser', (bad) => roles.getRolesAndPermissionsForUser(bad, 'alice')],
    ['UserRolesService.addRoleToUser', (bad) => roles.addRoleToUser(bad, 'alice', 'admin')],
    ['UserRolesService.removeUserRole', (bad) => roles.removeUserRole(bad, 'alice', 'admin')],
    ['UserRolesService.getUsersThatHaveRole', (bad) => roles.getUsersThatHaveRole(bad, 'admin')],
  ];
  const roleCalls: Array<[string, (bad: any) => Promise<unknown>]> = [
    ['createNewRoleOrAddPermissions', (bad) => roles.createNewRoleOrAddPermissions(bad, ['x'])],
    ['getPermissionsForRole', (bad) => roles.getPermissionsForRole(bad)],
    ['removePermissionsFromRole', (bad) => roles.removePermissionsFromRole(bad, ['delete-all'])],
    ['deleteRole', (bad) => roles.deleteRole(bad)],
    ['addRoleToUser', (bad) => roles.addRoleToUser('public', 'alice', bad)],
    ['removeUserRole', (bad) => roles.removeUserRole('public', 'alice', bad)],
    ['getUsersThatHaveRole', (bad) => roles.getUsersThatHaveRole('public', bad)],
  ];
  const permissionCalls: Array<[string, (bad: any) => Promise<unknown>]> = [
    ['createNewRoleOrAddPermissions', (bad) => roles.createNewRoleOrAddPermissions('admin', [bad])],
    ['removePermissionsFromRole', (bad) => roles.removePermissionsFromRole('admin', [bad])],
    ['getRolesThatHavePermission', (bad) => roles.getRolesThatHavePermission(bad)],
  ];

  describe.each([
    ['session handle', handleCalls, IDENTIFIER_MAX_LENGTH.sessionHandle],
    ['user id', userCalls, IDENTIFIER_MAX_LENGTH.userId],
    ['tenant id', tenantCalls, IDENTIFIER_MAX_LENGTH.tenantId],
    ['role', roleCalls, IDENTIFIER_MAX_LENGTH.role],
    ['permission', permissionCalls, IDENTIFIER_MAX_LENGTH.permission],
  ] as const)('a bad %s', (_kind, calls, limit) => {
    it.each(calls)('%s refuses it with InvalidIdentifierError and changes nothing', async (_name, call) => {
      for (const [label, bad] of badIds(limit)) {
        // `undefined` means "every tenant" where the tenant is optional: allowed there.
        if (bad === undefined && _kind === 'tenant id' && !/create|Global|JWT|UserRoles/.test(_name)) continue;
        const refused = call(bad);
        await expect(refused).rejects.toBeInstanceOf(InvalidIdentifierError);
        await expect(refused).rejects.toThrow(/must be a non-empty string of at most \d+ characters/);
        await refused.catch((e: InvalidIdentifierError) => expect([label, e.getStatus()]).toEqual([label, 400]));
      }
      await expectUntouched();
    });
  });

  it('revokeMultipleSessions refuses a non-array', async () => {
    await expect(sessions.revokeMultipleSessions(undefined as any)).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(sessions.revokeMultipleSessions(null as any)).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expectUntouched();
  });

  it('ids at exactly the column length are accepted and stored on every database', async () => {
    const userId = 'u'.repeat(IDENTIFIER_MAX_LENGTH.userId);
    const tenantId = 't'.repeat(IDENTIFIER_MAX_LENGTH.tenantId);
    const handle = (await sessions.createNewSessionWithoutRequestResponse(tenantId, userId)).getHandle();
    await expect(sessions.getAllSessionHandlesForUser(userId, tenantId)).resolves.toEqual([handle]);
    const role = 'r'.repeat(IDENTIFIER_MAX_LENGTH.role);
    await expect(roles.createNewRoleOrAddPermissions(role, ['p'.repeat(IDENTIFIER_MAX_LENGTH.permission)])).resolves.toEqual({ status: 'OK', createdNewRole: true });
    await expect(roles.addRoleToUser(tenantId, userId, role)).resolves.toEqual({ status: 'OK', didUserAlreadyHaveRole: false });
    await expect(sessions.revokeAllSessionsForUser(userId, tenantId)).resolves.toEqual([handle]);
  });

  describe.each(PLATFORMS)('over HTTP (%s)', (platform) => {
    let httpApp: INestApplication;
    beforeAll(async () => {
      httpApp = await createTestApp(platform, basicApp());
    });
    afterAll(() => httpApp?.close());

    it.each([
      ['a number', 42],
      ['an over-long string', 'x'.repeat(IDENTIFIER_MAX_LENGTH.userId + 1)],
      ['an object', { $ne: '' }],
    ])('createNewSession with a user id that is %s answers 400 JSON and issues nothing', async (_label, userId) => {
      const { res: raw } = await new SessionClient(httpApp).login({ userId }, { status: 400 });
      expect(raw.body).toEqual({ statusCode: 400, message: 'userId must be a non-empty string of at most 255 characters', error: 'Bad Request' });
      expect(raw.headers['st-access-token']).toBeUndefined();
      expect(raw.headers['set-cookie']).toBeUndefined();
    });
  });
});
