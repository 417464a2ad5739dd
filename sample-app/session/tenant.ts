/** SuperTokens' default tenant; the sample app is single-tenant (sessions, roles and grants all use it). */
export const TENANT_ID = 'public';
