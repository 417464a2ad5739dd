import { Injectable, type NestMiddleware } from '@nestjs/common';
import { SessionService } from '../session/session.service';
import { SESSION_SERVICE_KEY } from './request-state';

/** Tags each request with this app's `SessionService`, so guards made with `new` find it. */
@Injectable()
export class SessionRequestMiddleware implements NestMiddleware {
  constructor(private readonly sessions: SessionService) {}

  use(request: Record<symbol, unknown>, _response: unknown, next: () => void): void {
    request[SESSION_SERVICE_KEY] = this.sessions;
    next();
  }
}
