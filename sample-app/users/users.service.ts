import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, type Repository } from 'typeorm';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

/** Thrown by {@link UsersService.register} when the email already has an account. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`an account with ${email} already exists`);
  }
}

/** What the API shows of a user. */
export interface PublicUser {
  id: string;
  email: string;
  createdAt: string;
  emailVerified: boolean;
}

/** Users and their passwords. Knows nothing about sessions or HTTP. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordHasher,
  ) {}

  /**
   * Creates a user, with an unverified email unless `emailVerified` (demo users); throws
   * {@link EmailTakenError} if the email is taken (also when two sign-ups race).
   */
  async register(email: string, password: string, { emailVerified = false } = {}): Promise<UserEntity> {
    const now = new Date();
    const user: UserEntity = {
      id: randomUUID(),
      email: normaliseEmail(email),
      passwordHash: await this.passwords.hash(password),
      createdAt: now,
      emailVerifiedAt: emailVerified ? now : null,
    };
    try {
      // One INSERT, no transaction: the session module writes to the same SQLite file.
      await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError(user.email);
      throw error;
    }
    return user;
  }

  /** The user with these credentials, or `undefined`; takes the same time whether or not the email exists. */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | undefined> {
    const user = await this.findByEmail(email);
    if (!user) {
      await this.passwords.verifyAgainstDummy(password);
      return undefined;
    }
    return (await this.passwords.verify(password, user.passwordHash)) ? user : undefined;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: normaliseEmail(email) });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** Every user, oldest first (the admin page's list; a real app would paginate). */
  findAll(): Promise<UserEntity[]> {
    return this.users.find({ order: { createdAt: 'ASC' } });
  }

  /** Whether `password` is the password of the user `id` (the step-up prompt); false for an unknown user. */
  async verifyPassword(id: string, password: string): Promise<boolean> {
    const user = await this.findById(id);
    if (!user) {
      await this.passwords.verifyAgainstDummy(password);
      return false;
    }
    return this.passwords.verify(password, user.passwordHash);
  }

  /** Replaces the password of a user whose current password is `currentPassword`; false if it is not. */
  async changePassword(id: string, currentPassword: string, newPassword: string): Promise<boolean> {
    const user = await this.findById(id);
    if (!user || !(await this.passwords.verify(currentPassword, user.passwordHash))) return false;
    await this.users.update({ id }, { passwordHash: await this.passwords.hash(newPassword) });
    return true;
  }

  /** The source of truth of the session's `st-ev` claim; false for an unknown user. */
  async isEmailVerified(id: string): Promise<boolean> {
    const user = await this.users.findOne({ where: { id }, select: { id: true, emailVerifiedAt: true } });
    return user?.emailVerifiedAt != null;
  }

  /** Marks the user's email verified (keeps the first verification time); false for an unknown user. */
  async markEmailVerified(id: string): Promise<boolean> {
    // One UPDATE, no read-modify-write: a second verification leaves the first time in place.
    const result = await this.users.update({ id, emailVerifiedAt: IsNull() }, { emailVerifiedAt: new Date() });
    return (result.affected ?? 0) > 0 || this.users.existsBy({ id });
  }
}

/** The API's view of a user (no password hash). */
export function toPublicUser(user: UserEntity): PublicUser {
  return {
    id: user.id,
    email: user.email,
    createdAt: new Date(user.createdAt).toISOString(),
    emailVerified: user.emailVerifiedAt != null,
  };
}

/** Emails are compared trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A unique-constraint violation on SQLite, PostgreSQL or MySQL/MariaDB. */
function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } }).driverError ?? (error as { code?: string });
  return ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505', 'ER_DUP_ENTRY'].includes(String(driverError?.code));
}
