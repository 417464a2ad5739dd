import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import { SESSION_CONFIG } from '../session.constants';
import { SessionStore } from '../storage/session-store';
import { SigningKeyService } from '../tokens/signing-key.service';

/** Deletes expired sessions and retired signing keys, every `cleanupInterval` seconds and on demand. */
@Injectable()
export class SessionCleanup implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionCleanup');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly keys: SigningKeyService,
  ) {}

  onModuleInit(): void {
    if (this.config.cleanupInterval <= 0) return;
    this.timer = setInterval(() => void this.run(), this.config.cleanupInterval * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One sweep; a failure is logged and reported as nothing deleted (the next sweep tries again). */
  async run(): Promise<{ sessions: number; keys: number }> {
    try {
      const sessions = await this.store.deleteExpired(this.config.clock.now());
      const keys = await this.keys.deleteRetiredKeys();
      return { sessions, keys };
    } catch (error) {
      this.logger.error(`cleanup failed: ${(error as Error).message}`);
      return { sessions: 0, keys: 0 };
    }
  }
}
