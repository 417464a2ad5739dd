import type { INestApplication } from '@nestjs/common';
import { UserRolesService } from '../../src';
import { basicApp } from '../fixtures/basic.app';
import { SessionClient } from '../support/session-client';
import { createTestApp, PLATFORMS } from '../support/platforms';

/**
 * The TypeORM `UserRolesService` (SuperTokens' UserRoles API shapes) and the built-in `st-role` /
 * `st-perm` claims it feeds into new sessions.
 */

const UNKNOWN_ROLE = { status: 'UNKNOWN_ROLE_ERROR' };

describe.each(PLATFORMS)('user roles (%s)', (platform) => {
  describe('UserRolesService', () => {
    // One app for these tests (creating an app is the slow part); each test uses its own role
    // names, and lists of all roles are read through `ownRoles`.
    let app: INestApplication;
    let roles: UserRolesService;
    beforeAll(async () => {
      app = await createTestApp(platform, basicApp());
      roles = app.get(UserRolesService);
    });
    afterAll(() => app.close());

    /** getAllRoles(), restricted to the roles named with `prefix`. */
    async function ownRoles(prefix: string) {
      const all = await roles.getAllRoles();
      return { ...all, roles: all.roles.filter((r) => r.startsWith(prefix)) };
    }

    it('creates a role with permissions, and adds permissions to an existing role', async () => {
      await expect(roles.createNewRoleOrAddPermissions('c-editor', ['write', 'read'])).resolves.toEqual({ status: 'OK', createdNewRole: true });
      await expect(roles.createNewRoleOrAddPermissions('c-editor', ['publish', 'read'])).resolves.toEqual({ status: 'OK', createdNewRole: false });
      await expect(roles.createNewRoleOrAddPermissions('c-viewer')).resolves.toEqual({ status: 'OK', createdNewRole: true });

      await expect(roles.getPermissionsForRole('c-editor')).resolves.toEqual({ status: 'OK', permissions: ['publish', 'read', 'write'] });
      await expect(roles.getPermissionsForRole('c-viewer')).resolves.toEqual({ status: 'OK', permissions: [] });
      await expect(ownRoles('c-')).resolves.toEqual({ status: 'OK', roles: ['c-editor', 'c-viewer'] });
    });

    it('removes permissions from a role and finds the roles that have a permission', async () => {
      await roles.createNewRoleOrAddPermissions('p-editor', ['p-read', 'p-write']);
      await roles.createNewRoleOrAddPermissions('p-viewer', ['p-read']);

      await expect(roles.getRolesThatHavePermission('p-read')).resolves.toEqual({ status: 'OK', roles: ['p-editor', 'p-viewer'] });
      await expect(roles.removePermissionsFromRole('p-editor', ['p-read'])).resolves.toEqual({ status: 'OK' });

      await expect(roles.getPermissionsForRole('p-editor')).resolves.toEqual({ status: 'OK', permissions: ['p-write'] });
      await expect(roles.getRolesThatHavePermission('p-read')).resolves.toEqual({ status: 'OK', roles: ['p-viewer'] });
      await expect(roles.getRolesThatHavePermission('nobody-has-this')).resolves.toEqual({ status: 'OK', roles: [] });
    });

    it('grants and takes roles per tenant, and tells whether anything changed', async () => {
      await roles.createNewRoleOrAddPermissions('t-editor');
      await roles.createNewRoleOrAddPermissions('t-viewer');

      await expect(roles.addRoleToUser('tenant-a', 'alice', 't-editor')).resolves.toEqual({ status: 'OK', didUserAlreadyHaveRole: false });
      await expect(roles.addRoleToUser('tenant-a', 'alice', 't-editor')).resolves.toEqual({ status: 'OK', didUserAlreadyHaveRole: true });
      await expect(roles.addRoleToUser('tenant-a', 'alice', 't-viewer')).resolves.toEqual({ status: 'OK', didUserAlreadyHaveRole: false });
      await roles.addRoleToUser('tenant-a', 'bob', 't-editor');
      await roles.addRoleToUser('tenant-b', 'carol', 't-editor');

      // Tenant isolation: a grant in tenant-a is not a grant in tenant-b.
      await expect(roles.getRolesForUser('tenant-a', 'alice')).resolves.toEqual({ status: 'OK', roles: ['t-editor', 't-viewer'] });
      await expect(roles.getRolesForUser('tenant-b', 'alice')).resolves.toEqual({ status: 'OK', roles: [] });
      await expect(roles.getUsersThatHaveRole('tenant-a', 't-editor')).resolves.toEqual({ status: 'OK', users: ['alice', 'bob'] });
      await expect(roles.getUsersThatHaveRole('tenant-b', 't-editor')).resolves.toEqual({ status: 'OK', users: ['carol'] });

      await expect(roles.removeUserRole('tenant-b', 'alice', 't-editor')).resolves.toEqual({ status: 'OK', didUserHaveRole: false });
      await expect(roles.removeUserRole('tenant-a', 'alice', 't-editor')).resolves.toEqual({ status: 'OK', didUserHaveRole: true });
      await expect(roles.removeUserRole('tenant-a', 'alice', 't-editor')).resolves.toEqual({ status: 'OK', didUserHaveRole: false });
      await expect(roles.getRolesForUser('tenant-a', 'alice')).resolves.toEqual({ status: 'OK', roles: ['t-viewer'] });
      await expect(roles.getUsersThatHaveRole('tenant-a', 't-editor')).resolves.toEqual({ status: 'OK', users: ['bob'] });
    });

    it('deletes a role with its permissions and every grant of it', async () => {
      await roles.createNewRoleOrAddPermissions('d-editor', ['d-write']);
      await roles.createNewRoleOrAddPermissions('d-viewer', ['d-read']);
      await roles.addRoleToUser('tenant-a', 'dora', 'd-editor');
      await roles.addRoleToUser('tenant-b', 'dora', 'd-editor');
      await roles.addRoleToUser('tenant-a', 'dora', 'd-viewer');

      await expect(roles.deleteRole('d-editor')).resolves.toEqual({ status: 'OK', didRoleExist: true });

      await expect(ownRoles('d-')).resolves.toEqual({ status: 'OK', roles: ['d-viewer'] });
      await expect(roles.getRolesForUser('tenant-a', 'dora')).resolves.toEqual({ status: 'OK', roles: ['d-viewer'] });
      await expect(roles.getRolesForUser('tenant-b', 'dora')).resolves.toEqual({ status: 'OK', roles: [] });
      await expect(roles.getRolesThatHavePermission('d-write')).resolves.toEqual({ status: 'OK', roles: [] });
      await expect(roles.deleteRole('d-editor')).resolves.toEqual({ status: 'OK', didRoleExist: false });
      // Re-created, the role starts empty: no permission or grant survived.
      await roles.createNewRoleOrAddPermissions('d-editor');
      await expect(roles.getPermissionsForRole('d-editor')).resolves.toEqual({ status: 'OK', permissions: [] });
      await expect(roles.getUsersThatHaveRole('tenant-a', 'd-editor')).resolves.toEqual({ status: 'OK', users: [] });
    });

    it('answers UNKNOWN_ROLE_ERROR for a role that does not exist, and grants nothing', async () => {
      await expect(roles.addRoleToUser('public', 'ghost-user', 'ghost')).resolves.toEqual(UNKNOWN_ROLE);
      await expect(roles.removeUserRole('public', 'ghost-user', 'ghost')).resolves.toEqual(UNKNOWN_ROLE);
      await expect(roles.getUsersThatHaveRole('public', 'ghost')).resolves.toEqual(UNKNOWN_ROLE);
      await expect(roles.getPermissionsForRole('ghost')).resolves.toEqual(UNKNOWN_ROLE);
      await expect(roles.removePermissionsFromRole('ghost', ['read'])).resolves.toEqual(UNKNOWN_ROLE);
      await expect(roles.getRolesForUser('public', 'ghost-user')).resolves.toEqual({ status: 'OK', roles: [] });
      await expect(ownRoles('ghost')).resolves.toEqual({ status: 'OK', roles: [] });
    });
  });

  describe('roles and permissions in new sessions', () => {
    async function withRoles(options: Parameters<typeof basicApp>[0], run: (app: INestApplication) => Promise<void>) {
      const app = await createTestApp(platform, basicApp(options));
      try {
        const roles = app.get(UserRolesService);
        await roles.createNewRoleOrAddPermissions('editor', ['write', 'read']);
        await roles.createNewRoleOrAddPermissions('viewer', ['read']);
        await roles.addRoleToUser('tenant-a', 'alice', 'editor');
        await roles.addRoleToUser('tenant-a', 'alice', 'viewer');
        await run(app);
      } finally {
        await app.close();
      }
    }

    it('adds st-role and st-perm (the union of the roles\' permissions) of the session\'s tenant by default', async () => {
      await withRoles({}, async (app) => {
        const inA = new SessionClient(app);
        await inA.login({ userId: 'alice', tenantId: 'tenant-a' });
        const inB = new SessionClient(app);
        await inB.login({ userId: 'alice', tenantId: 'tenant-b' });

        expect(inA.payload['st-role']).toEqual({ v: ['editor', 'viewer'], t: expect.any(Number) });
        expect(inA.payload['st-perm']).toEqual({ v: ['read', 'write'], t: expect.any(Number) });
        expect(inB.payload['st-role']).toEqual({ v: [], t: expect.any(Number) });
        expect(inB.payload['st-perm']).toEqual({ v: [], t: expect.any(Number) });
      });
    });

    it('leaves st-role out with userRoles: { addRolesToSession: false }', async () => {
      await withRoles({ userRoles: { addRolesToSession: false } }, async (app) => {
        const user = new SessionClient(app);
        await user.login({ userId: 'alice', tenantId: 'tenant-a' });

        expect(user.payload).not.toHaveProperty('st-role');
        expect(user.payload['st-perm']).toEqual({ v: ['read', 'write'], t: expect.any(Number) });
      });
    });

    it('leaves st-perm out with userRoles: { addPermissionsToSession: false }', async () => {
      await withRoles({ userRoles: { addPermissionsToSession: false } }, async (app) => {
        const user = new SessionClient(app);
        await user.login({ userId: 'alice', tenantId: 'tenant-a' });

        expect(user.payload['st-role']).toEqual({ v: ['editor', 'viewer'], t: expect.any(Number) });
        expect(user.payload).not.toHaveProperty('st-perm');
      });
    });
  });
});
