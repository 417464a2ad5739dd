/** Fixed, prefixed table names, so raw per-driver SQL and migrations agree with the entities. */
export const TABLES = {
  sessions: 'nest_session_sessions',
  signingKeys: 'nest_session_signing_keys',
  roles: 'nest_session_roles',
  rolePermissions: 'nest_session_role_permissions',
  userRoles: 'nest_session_user_roles',
  audit: 'nest_session_audit',
} as const;
