/** The roles of the sample app and their permissions (`st-perm` is the union over a user's roles). */
export const DEMO_ROLES: Readonly<Record<string, readonly string[]>> = {
  admin: ['read', 'edit', 'delete'],
  editor: ['read', 'edit'],
  user: ['read'],
};

/** Roles the demo users get at start: alice administers, bob is a plain user. */
export const DEMO_USER_ROLES: Readonly<Record<string, string>> = {
  'alice@example.com': 'admin',
  'bob@example.com': 'user',
};

/** The role every new account gets at sign-up. */
export const DEFAULT_ROLE = 'user';
