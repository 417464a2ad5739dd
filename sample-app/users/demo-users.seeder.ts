import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { UserEntity } from './user.entity';
import { EmailTakenError, UsersService } from './users.service';

/** Accounts created at start so the app can be tried at once. Demo only: the passwords are public. */
export const DEMO_USERS: ReadonlyArray<{ email: string; password: string }> = [
  { email: 'alice@example.com', password: 'alice-password' },
  { email: 'bob@example.com', password: 'bob-password' },
];

/**
 * Creates the demo users that do not exist yet (existing ones keep their password), marks their
 * emails verified (demo users skip the verification link), and logs them. Other seeders (roles)
 * wait for {@link seeded} instead of relying on the order of bootstrap hooks.
 */
@Injectable()
export class DemoUsersSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUsers');
  private seeding?: Promise<UserEntity[]>;

  constructor(private readonly users: UsersService) {}

  onApplicationBootstrap(): Promise<unknown> {
    return this.seeded();
  }

  /** The demo users, seeded once per app (idempotent across restarts). */
  seeded(): Promise<UserEntity[]> {
    this.seeding ??= this.seed();
    return this.seeding;
  }

  private async seed(): Promise<UserEntity[]> {
    const seeded: UserEntity[] = [];
    for (const demo of DEMO_USERS) {
      const { user, created } = await this.ensure(demo.email, demo.password);
      // Also for demo users found in a database made before email verification existed.
      if (user.emailVerifiedAt == null) await this.users.markEmailVerified(user.id);
      this.logger.log(`${created ? 'created' : 'found'} demo user ${demo.email} / ${demo.password} (id ${user.id})`);
      seeded.push(user);
    }
    return seeded;
  }

  private async ensure(email: string, password: string): Promise<{ user: UserEntity; created: boolean }> {
    const existing = await this.users.findByEmail(email);
    if (existing) return { user: existing, created: false };
    try {
      return { user: await this.users.register(email, password, { emailVerified: true }), created: true };
    } catch (error) {
      // Another instance on the same database seeded it first.
      if (error instanceof EmailTakenError) return { user: (await this.users.findByEmail(email))!, created: false };
      throw error;
    }
  }
}
