import type { JSONObject } from '../json';

/**
 * How large a stored payload may grow, as one linear inequality over byte lengths a database can
 * compute inside the write statement itself (so the check and the write are one atomic step):
 *
 *   perPayloadByte × bytes(merged payload as JSON text) + perUserIdByte × bytes(user_id)
 *     + perTenantIdByte × bytes(tenant_id) ≤ maxTotal
 *
 * It stands for "the access token of this session stays within `tokenLimit` bytes" (see
 * `tokens/payload-size-guard.ts`). The JSON text is the database's own: PostgreSQL and MySQL
 * print a space after `:` and `,`, so there the bound is a little stricter than the token.
 */
export interface PayloadSizeLimit {
  perPayloadByte: number;
  perUserIdByte: number;
  perTenantIdByte: number;
  maxTotal: number;
  /** The access-token size in bytes this limit keeps (for the error message). */
  tokenLimit: number;
}

/** The limit evaluated in JavaScript (stores without SQL, checks before a write). */
export function fitsPayloadSizeLimit(limit: PayloadSizeLimit, payload: JSONObject, userId: string, tenantId: string): boolean {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  const total = limit.perPayloadByte * bytes(JSON.stringify(payload)) + limit.perUserIdByte * bytes(userId) + limit.perTenantIdByte * bytes(tenantId);
  return total <= limit.maxTotal;
}
