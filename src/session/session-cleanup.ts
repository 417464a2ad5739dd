import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { SessionConfig } from '../config/session-config';
import { SESSION_CONFIG } from '../session.constants';
import { SessionStore } from '../storage/session-store';
import { SessionEvents } from '../events/session-events';
import { SigningKeyService } from '../tokens/signing-key.service';
import { expiryReasonOf, revokedEvent } from './lifecycle-events';

/** Expired sessions reported per sweep (the rest are deleted silently; the next sweep reports its own). */
const REPORTED_PER_SWEEP = 1000;

/** Deletes expired sessions and retired signing keys, every `cleanupInterval` seconds and on demand. */
@Injectable()
export class SessionCleanup implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionCleanup');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(SESSION_CONFIG) private readonly config: SessionConfig,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly keys: SigningKeyService,
    private readonly events: SessionEvents,
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
      const now = this.config.clock.now();
      const reported = await this.deleteAndReport(now);
      const sessions = reported + (await this.store.deleteExpired(now));
      const keys = await this.keys.deleteRetiredKeys();
      return { sessions, keys };
    } catch (error) {
      this.logger.error(`cleanup failed: ${(error as Error).message}`);
      return { sessions: 0, keys: 0 };
    }
  }

  /** With listeners, expired sessions are deleted by handle and reported (idle or absolute timeout) before the bulk delete. */
  private async deleteAndReport(now: number): Promise<number> {
    if (!this.events.active || !this.store.listExpired) return 0;
    const expired = await this.store.listExpired(now, REPORTED_PER_SWEEP);
    if (expired.length === 0) return 0;
    const deleted = new Set(await this.store.delete(expired.map((s) => s.sessionHandle)));
    await this.events.emitAll(expired.filter((s) => deleted.has(s.sessionHandle)).map((s) => revokedEvent(s, expiryReasonOf(this.config, s), now)));
    return deleted.size;
  }
}
