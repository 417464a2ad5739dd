import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EmailTakenError, UsersService } from './users.service';

/** Accounts created at start so the app can be tried at once. Demo only: the passwords are public. */
export const DEMO_USERS: ReadonlyArray<{ email: string; password: string }> = [
  { email: 'alice@example.com', password: 'alice-password' },
  { email: 'bob@example.com', password: 'bob-password' },
];

/** Creates the demo users that do not exist yet (existing ones keep their password) and logs them. */
@Injectable()
export class DemoUsersSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUsers');

  constructor(private readonly users: UsersService) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const demo of DEMO_USERS) {
      const created = await this.ensure(demo.email, demo.password);
      this.logger.log(`${created ? 'created' : 'found'} demo user ${demo.email} / ${demo.password}`);
    }
  }

  private async ensure(email: string, password: string): Promise<boolean> {
    if (await this.users.findByEmail(email)) return false;
    try {
      await this.users.register(email, password);
      return true;
    } catch (error) {
      // Another instance on the same database seeded it first.
      if (error instanceof EmailTakenError) return false;
      throw error;
    }
  }
}
