// Compile-time tests (no runtime): `tsc --noEmit -p tsconfig.json` checks them (tsconfig includes
// test/, and .ci/run type-checks before testing). An `expectTypeOf` that does not hold, or a
// `@ts-expect-error` line that compiles, fails the type-check.
import type { Controller } from '@nestjs/common';
import type { Request } from 'express';
import { expectTypeOf } from 'expect-type';
import {
  BooleanClaim,
  type ClaimValue,
  EmailVerificationClaim,
  type JSONObject,
  type JSONValue,
  PermissionClaim,
  PrimitiveArrayClaim,
  PrimitiveClaim,
  type SessionContainer,
  type SessionRequest,
  type SessionService,
  UserRoleClaim,
} from '../../src';
import { createTestSession, type ProviderSource } from '../../src/testing';

/** An app's own payload type: an interface without an index signature, as apps write them. */
interface MyPayload {
  role: 'admin' | 'editor' | 'reader';
  orgId: string;
  flags?: string[];
}

const PlanClaim = new PrimitiveClaim<'free' | 'pro'>({ key: 'plan', fetchValue: () => 'free' as const });
const TeamsClaim = new PrimitiveArrayClaim<string>({ key: 'teams', fetchValue: () => ['a'] });
const CountClaim = new PrimitiveClaim<number>({ key: 'count', fetchValue: () => 1 });
const SecondFactorClaim = new BooleanClaim({ key: '2fa', fetchValue: () => false });

/** `getAccessTokenPayload()` is typed from the app's payload type, beside the standard fields. */
export function typedPayload(session: SessionContainer<MyPayload>): void {
  const payload = session.getAccessTokenPayload();
  expectTypeOf(payload.role).toEqualTypeOf<'admin' | 'editor' | 'reader'>();
  expectTypeOf(payload.orgId).toEqualTypeOf<string>();
  expectTypeOf(payload.flags).toEqualTypeOf<string[] | undefined>();
  expectTypeOf(payload.sub).toEqualTypeOf<string>();
  expectTypeOf(payload.sessionHandle).toEqualTypeOf<string>();
  expectTypeOf(payload.exp).toEqualTypeOf<number>();
  // @ts-expect-error a role the payload type does not allow
  const _wrong: 'owner' = payload.role;
  void _wrong;
}

/** Merges take the app's keys with their types, `null` to delete, and still any other JSON key. */
export async function typedMerge(session: SessionContainer<MyPayload>): Promise<void> {
  await session.mergeIntoAccessTokenPayload({ role: 'editor' });
  await session.mergeIntoAccessTokenPayload({ flags: null });
  await session.mergeIntoAccessTokenPayload({ somethingElse: { nested: [1, 2] } });
  // @ts-expect-error a value of the wrong type for a declared key
  await session.mergeIntoAccessTokenPayload({ role: 'owner' });
  // @ts-expect-error orgId is a string
  await session.mergeIntoAccessTokenPayload({ orgId: 42 });
  // @ts-expect-error not JSON
  await session.mergeIntoAccessTokenPayload({ when: new Date() });
}

/** Without a type argument the session is what it always was: JSON values under any key. */
export function untypedPayload(session: SessionContainer): void {
  const payload = session.getAccessTokenPayload();
  expectTypeOf(payload.anything).toEqualTypeOf<JSONValue | undefined>();
  expectTypeOf(payload.sub).toEqualTypeOf<string>();
  expectTypeOf<SessionContainer>().toEqualTypeOf<SessionContainer<JSONObject>>();
}

/** `getClaimValue(claim)` is typed from the claim object. */
export async function typedClaims(session: SessionContainer<MyPayload>, service: SessionService): Promise<void> {
  expectTypeOf(await session.getClaimValue(PlanClaim)).toEqualTypeOf<'free' | 'pro' | undefined>();
  expectTypeOf(await session.getClaimValue(CountClaim)).toEqualTypeOf<number | undefined>();
  expectTypeOf(await session.getClaimValue(TeamsClaim)).toEqualTypeOf<string[] | undefined>();
  expectTypeOf(await session.getClaimValue(SecondFactorClaim)).toEqualTypeOf<boolean | undefined>();
  expectTypeOf(await session.getClaimValue(UserRoleClaim)).toEqualTypeOf<string[] | undefined>();
  expectTypeOf(await session.getClaimValue(PermissionClaim)).toEqualTypeOf<string[] | undefined>();
  expectTypeOf(await session.getClaimValue(EmailVerificationClaim)).toEqualTypeOf<boolean | undefined>();

  await session.setClaimValue(PlanClaim, 'pro');
  // @ts-expect-error not a value of this claim
  await session.setClaimValue(PlanClaim, 'enterprise');
  // @ts-expect-error a boolean claim takes a boolean
  await session.setClaimValue(SecondFactorClaim, 'yes');

  // The offline form, by session handle.
  const offline = await service.getClaimValue('handle', PlanClaim);
  if (offline.status === 'OK') expectTypeOf(offline.value).toEqualTypeOf<'free' | 'pro' | undefined>();
  await service.setClaimValue('handle', CountClaim, 3);
  // @ts-expect-error a number claim takes a number
  await service.setClaimValue('handle', CountClaim, '3');

  expectTypeOf<ClaimValue<typeof PlanClaim>>().toEqualTypeOf<'free' | 'pro'>();
  expectTypeOf<ClaimValue<typeof TeamsClaim>>().toEqualTypeOf<string[]>();
  expectTypeOf<ClaimValue<typeof SecondFactorClaim>>().toEqualTypeOf<boolean>();
}

/** Claim validators are typed from the claim too. */
export function typedValidators(): void {
  PlanClaim.validators.hasValue('pro');
  // @ts-expect-error not a value of this claim
  PlanClaim.validators.hasValue('gold');
  TeamsClaim.validators.includes('a');
  // @ts-expect-error the array claim holds strings
  TeamsClaim.validators.includes(1);
}

/** The service hands out typed sessions when asked, and infers the type from a new session's payload. */
export async function typedService(service: SessionService, req: Request, res: unknown): Promise<void> {
  const verified = await service.getSession<MyPayload>(req, res);
  expectTypeOf(verified).toEqualTypeOf<SessionContainer<MyPayload> | undefined>();
  const created = await service.createNewSession<MyPayload>(req, res, 'public', 'user-1', { role: 'admin', orgId: 'o1' });
  expectTypeOf(created.getAccessTokenPayload().role).toEqualTypeOf<'admin' | 'editor' | 'reader'>();
  // @ts-expect-error the payload must match the declared type
  await service.createNewSession<MyPayload>(req, res, 'public', 'user-1', { role: 'owner', orgId: 'o1' });
  const byToken = await service.getSessionWithoutRequestResponse<MyPayload>('token');
  expectTypeOf(byToken.getAccessTokenPayload().orgId).toEqualTypeOf<string>();
}

/** `SessionRequest<Request, MyPayload>` carries a typed session. */
export function typedRequest(req: SessionRequest<Request, MyPayload>): void {
  expectTypeOf(req.session).toEqualTypeOf<SessionContainer<MyPayload> | undefined>();
  expectTypeOf(req.session!.getAccessTokenPayload().role).toEqualTypeOf<'admin' | 'editor' | 'reader'>();
  expectTypeOf(req.path).toEqualTypeOf<string>();
}

/** The testing kit hands out typed sessions too. */
export async function typedTestSession(app: ProviderSource): Promise<void> {
  const s = await createTestSession<MyPayload>(app, { userId: 'u1', payload: { role: 'reader', orgId: 'o1' }, claims: [[PlanClaim, 'pro']] });
  expectTypeOf(s.session.getAccessTokenPayload().role).toEqualTypeOf<'admin' | 'editor' | 'reader'>();
  expectTypeOf(s.headers).toEqualTypeOf<Record<string, string>>();
  // @ts-expect-error the payload must match the declared type
  await createTestSession<MyPayload>(app, { userId: 'u1', payload: { role: 'owner', orgId: 'o1' } });
  const untyped = await createTestSession(app, { userId: 'u2' });
  expectTypeOf(untyped.session).toEqualTypeOf<SessionContainer>();
}

export type { Controller };
