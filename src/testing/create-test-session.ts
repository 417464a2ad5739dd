import type { SessionClaim } from '../claims/session-claim';
import type { SessionConfig } from '../config/session-config';
import type { JSONObject } from '../json';
import { SESSION_CONFIG } from '../session.constants';
import type { SessionContainer } from '../session/session-container';
import { SessionService } from '../session/session.service';
import { WIRE } from '../transport/token-names';

/** Anything Nest that resolves providers: an `INestApplication`, a `TestingModule`, an application context. */
export interface ProviderSource {
  get<T = unknown>(token: unknown, options?: { strict?: boolean }): T;
}

/** A claim and the value the test session holds for it: `[SecondFactorClaim, true]`. */
export type TestClaimValue = readonly [claim: SessionClaim<any>, value: unknown];

/** What {@link createTestSession} needs; `TPayload` types the payload and the returned session. */
export interface TestSessionInput<TPayload extends object = JSONObject> {
  userId: string;
  /** Default `public`. */
  tenantId?: string;
  /** Custom access-token payload (before the app's `claimsToAddOnCreate` and `createNewSession` hook run). */
  payload?: TPayload & JSONObject;
  /** Claim values set after creation, over what the app's claims fetched (e.g. a completed second factor). */
  claims?: readonly TestClaimValue[];
  /** Private session data in the database. */
  sessionData?: JSONObject;
}

/** Request headers for one transfer method. */
export type TestHeaders = Record<string, string>;

/** A session made for a test, and how a client sends it in either transfer method. */
export interface TestSession<TPayload extends object = JSONObject> {
  session: SessionContainer<TPayload>;
  sessionHandle: string;
  userId: string;
  tenantId: string;
  accessToken: string;
  refreshToken: string;
  /** Set when the module's `antiCsrf` is `VIA_TOKEN` (cookie mode sends it as `anti-csrf`). */
  antiCsrfToken?: string;
  frontToken: string;
  /** Header mode, for guarded routes: `{ Authorization: 'Bearer <access token>' }`. */
  headers: TestHeaders;
  /** Cookie mode, for guarded routes: `Cookie: sAccessToken=...` plus the anti-CSRF header the module's mode needs. */
  cookieHeaders: TestHeaders;
  /** The session cookies as `name=value` pairs (for a cookie jar): access and refresh. */
  cookies: string[];
  /** For `POST {apiBasePath}/session/refresh`: the refresh token in either transfer method. */
  refresh: { headers: TestHeaders; cookieHeaders: TestHeaders };
}

/**
 * Creates a session in a running app (or testing module) without a sign-in route, through the
 * module's own path (the app's `claimsToAddOnCreate` and `createNewSession` hook run), sets the
 * given claim values, and returns the tokens with the headers and cookies to send them in
 * either transfer method:
 * `request(app.getHttpServer()).get('/me').set((await createTestSession(app, { userId: 'u1' })).headers)`.
 */
export async function createTestSession<TPayload extends object = JSONObject>(
  app: ProviderSource,
  input: TestSessionInput<TPayload>,
): Promise<TestSession<TPayload>> {
  const service = app.get<SessionService>(SessionService, { strict: false });
  const config = app.get<SessionConfig>(SESSION_CONFIG, { strict: false });
  const tenantId = input.tenantId ?? 'public';
  const session = await service.createNewSessionWithoutRequestResponse<TPayload>(tenantId, input.userId, input.payload ?? null, input.sessionData ?? null);
  for (const [claim, value] of input.claims ?? []) await session.setClaimValue(claim, value);
  const tokens = session.getAllSessionTokensDangerously();
  const refreshToken = tokens.refreshToken!;
  const csrf: TestHeaders = {};
  if (config.antiCsrf === 'VIA_TOKEN' && tokens.antiCsrfToken) csrf[WIRE.antiCsrf] = tokens.antiCsrfToken;
  if (config.antiCsrf === 'VIA_CUSTOM_HEADER') csrf[WIRE.rid] = 'session';
  return {
    session,
    sessionHandle: session.getHandle(),
    userId: input.userId,
    tenantId,
    accessToken: tokens.accessToken,
    refreshToken,
    antiCsrfToken: tokens.antiCsrfToken,
    frontToken: tokens.frontToken,
    headers: { Authorization: `Bearer ${tokens.accessToken}` },
    cookieHeaders: { Cookie: `${WIRE.accessCookie}=${tokens.accessToken}`, ...csrf },
    cookies: [`${WIRE.accessCookie}=${tokens.accessToken}`, `${WIRE.refreshCookie}=${refreshToken}`],
    refresh: {
      headers: { Authorization: `Bearer ${refreshToken}` },
      cookieHeaders: { Cookie: `${WIRE.refreshCookie}=${refreshToken}`, ...csrf },
    },
  };
}
