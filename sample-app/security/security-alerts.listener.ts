import { Injectable } from '@nestjs/common';
import { type SessionEvent, type SessionEventsListener, SessionListener } from '../../src';
import { Outbox } from '../outbox/outbox.service';
import { UsersService } from '../users/users.service';

/**
 * The library's lifecycle events put to work: when a refresh token is reused after it was
 * rotated (someone kept a copy), the library has already revoked the session; this listener
 * tells the account's owner. It runs before the refresh answers, so it stays short.
 */
@Injectable()
@SessionListener()
export class SecurityAlertsListener implements SessionEventsListener {
  constructor(
    private readonly users: UsersService,
    private readonly outbox: Outbox,
  ) {}

  async onSessionEvent(event: SessionEvent): Promise<void> {
    if (event.type !== 'session.token-theft') return;
    const user = await this.users.findById(event.userId);
    if (!user) return;
    this.outbox.send({
      kind: 'security-alert',
      to: user.email,
      text: 'A copy of one of your sign-ins was used after it had been replaced, so we signed that session out. If this was not you, change your password.',
      data: { sessionHandle: event.sessionHandle, reuseKind: event.reuseKind },
    });
  }
}
