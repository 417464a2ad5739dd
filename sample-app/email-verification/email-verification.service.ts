import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { LessThanOrEqual, MoreThan, type Repository } from 'typeorm';
import { SAMPLE_CONFIG, type SampleConfig } from '../config/sample-config';
import { Outbox } from '../outbox/outbox.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { VerificationTokenEntity } from './verification-token.entity';

/** How long a verification link works. */
export const LINK_TTL_SECONDS = 24 * 60 * 60;

/** A token as it appears in a link: 32 random bytes, base64url. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Email verification links: a random single-use token per link, stored hashed with an expiry,
 * "emailed" through the {@link Outbox} (the log). Opening the link marks the user's email
 * verified in the users table, which is what the session's `st-ev` claim reads.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    @InjectRepository(VerificationTokenEntity) private readonly tokens: Repository<VerificationTokenEntity>,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  /** Sends a new link to the user; earlier links of the user stop working. */
  async sendLink(user: Pick<UserEntity, 'id' | 'email'>): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    await this.tokens.delete({ userId: user.id });
    await this.tokens.delete({ expiresAt: LessThanOrEqual(new Date()) });
    await this.tokens.insert({ tokenHash: hashToken(token), userId: user.id, expiresAt: new Date(Date.now() + LINK_TTL_SECONDS * 1000) });
    const link = `${this.config.publicUrl}/verify-email?token=${token}`;
    this.outbox.send({ kind: 'email-verification-link', to: user.email, text: `verify your email: ${link}`, data: { link, token } });
  }

  /** Uses up a link's token and marks the email verified; the user's id, or undefined for an unknown, used or expired token. */
  async verify(token: string): Promise<string | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const tokenHash = hashToken(token);
    const row = await this.tokens.findOneBy({ tokenHash, expiresAt: MoreThan(new Date()) });
    if (!row) return undefined;
    // Single use: of two requests with the same link, only the one whose DELETE hits the row wins.
    const deleted = await this.tokens.delete({ tokenHash });
    if ((deleted.affected ?? 0) === 0) return undefined;
    return (await this.users.markEmailVerified(row.userId)) ? row.userId : undefined;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
