import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { JSONObject, SessionContainer } from '../../src';
import { Outbox } from '../outbox/outbox.service';
import { KeyedLock } from './keyed-lock';
import { SecondFactorClaim } from './second-factor.claim';

/** How long a code is valid. */
export const CODE_TTL_SECONDS = 5 * 60;
/** Wrong codes allowed per code; then a new one must be requested. */
export const MAX_ATTEMPTS = 5;
/** Session-data key of the pending challenge. */
const DATA_KEY = 'secondFactor';

/** The pending challenge, kept in the session's private data (never sent to the client). */
interface StoredChallenge extends JSONObject {
  salt: string;
  codeHash: string;
  expiresAt: number;
  attemptsLeft: number;
}

/** A fresh code and what to store for it. */
export interface NewChallenge {
  code: string;
  /** Session data holding the challenge: pass it to `createNewSession`. */
  sessionData: JSONObject;
  expiresAt: number;
}

/** What `POST /2fa/verify` found. */
export type VerifyOutcome =
  | { status: 'OK' }
  | { status: 'ALREADY_COMPLETED' }
  | { status: 'WRONG_CODE'; attemptsLeft: number }
  | { status: 'NO_PENDING_CODE' | 'CODE_EXPIRED' | 'TOO_MANY_ATTEMPTS' };

/** What `GET /2fa/status` shows. */
export interface SecondFactorStatus {
  completed: boolean;
  pendingCode: { expiresAt: string; attemptsLeft: number } | null;
}

/**
 * The demo second factor: a random 6-digit code per session, "sent" through the {@link Outbox}
 * (the log), valid {@link CODE_TTL_SECONDS} for {@link MAX_ATTEMPTS} tries. The code is stored
 * salted and hashed in the session's private data; with a million possible codes a hash does not
 * stop someone who can read the database, it keeps live codes out of plain sight. What protects
 * the code is its short life and the attempt limit.
 */
@Injectable()
export class SecondFactorService {
  private readonly lock = new KeyedLock();

  constructor(private readonly outbox: Outbox) {}

  /** A new code, for a session about to be created. */
  newChallenge(now = Date.now()): NewChallenge {
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const salt = randomBytes(16).toString('base64url');
    const expiresAt = now + CODE_TTL_SECONDS * 1000;
    const stored: StoredChallenge = { salt, codeHash: hashCode(salt, code), expiresAt, attemptsLeft: MAX_ATTEMPTS };
    return { code, sessionData: { [DATA_KEY]: stored }, expiresAt };
  }

  /** Sends a session's code to the user. */
  sendCode(email: string, code: string, sessionHandle: string): void {
    this.outbox.send({
      kind: 'two-factor-code',
      to: email,
      text: `your sign-in code is ${code} (valid ${CODE_TTL_SECONDS / 60} minutes; POST /2fa/verify {"code":"${code}"})`,
      data: { code, sessionHandle },
    });
  }

  /** Replaces the session's pending code with a new one and sends it. */
  async resend(session: SessionContainer, email: string): Promise<{ expiresAt: number }> {
    return this.lock.run(session.getHandle(), async () => {
      const challenge = this.newChallenge();
      const data = await session.getSessionDataFromDatabase();
      await session.updateSessionDataInDatabase({ ...data, ...challenge.sessionData });
      this.sendCode(email, challenge.code, session.getHandle());
      return { expiresAt: challenge.expiresAt };
    });
  }

  /** Checks a code; on success marks the session's second factor complete (a new access token goes back). */
  async verify(session: SessionContainer, code: string): Promise<VerifyOutcome> {
    return this.lock.run(session.getHandle(), async () => {
      if ((await session.getClaimValue(SecondFactorClaim)) === true) return { status: 'ALREADY_COMPLETED' };
      const data = await session.getSessionDataFromDatabase();
      const challenge = readChallenge(data);
      if (!challenge) return { status: 'NO_PENDING_CODE' };
      if (challenge.expiresAt <= Date.now()) return { status: 'CODE_EXPIRED' };
      if (challenge.attemptsLeft <= 0) return { status: 'TOO_MANY_ATTEMPTS' };
      if (!sameHash(hashCode(challenge.salt, code), challenge.codeHash)) {
        const attemptsLeft = challenge.attemptsLeft - 1;
        await session.updateSessionDataInDatabase({ ...data, [DATA_KEY]: { ...challenge, attemptsLeft } });
        return { status: 'WRONG_CODE', attemptsLeft };
      }
      const { [DATA_KEY]: _used, ...rest } = data;
      await session.updateSessionDataInDatabase(rest);
      // The seed's way to complete 2FA: the claim is set on this session, and this response
      // carries a new access token (and front-token) in which `2fa-completed` is true.
      await session.setClaimValue(SecondFactorClaim, true);
      return { status: 'OK' };
    });
  }

  async status(session: SessionContainer): Promise<SecondFactorStatus> {
    const completed = (await session.getClaimValue(SecondFactorClaim)) === true;
    const challenge = completed ? undefined : readChallenge(await session.getSessionDataFromDatabase());
    const pending = challenge && challenge.expiresAt > Date.now() && challenge.attemptsLeft > 0;
    return {
      completed,
      pendingCode: pending ? { expiresAt: new Date(challenge.expiresAt).toISOString(), attemptsLeft: challenge.attemptsLeft } : null,
    };
  }
}

function hashCode(salt: string, code: string): string {
  return createHash('sha256').update(`${salt}:${code}`).digest('base64url');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readChallenge(data: JSONObject): StoredChallenge | undefined {
  const value = data[DATA_KEY];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { salt, codeHash, expiresAt, attemptsLeft } = value;
  if (typeof salt !== 'string' || typeof codeHash !== 'string' || typeof expiresAt !== 'number' || typeof attemptsLeft !== 'number') {
    return undefined;
  }
  return { salt, codeHash, expiresAt, attemptsLeft };
}
