import { Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { SessionEvent } from './session-event';
import { SESSION_LISTENER_METADATA, type SessionEventsListener } from './session-events-listener';

/** What `@nestjs/event-emitter`'s `EventEmitter2` offers that we use. */
interface EventEmitterLike {
  emitAsync(event: string, ...values: unknown[]): Promise<unknown[]>;
}

/**
 * Delivers lifecycle events: to every `@SessionListener()` provider of the app, to listeners
 * added with {@link add} (the audit log), and to `@OnEvent('session.*')` handlers when the app
 * uses `@nestjs/event-emitter` (found at start, loaded only if installed). With nobody
 * listening, emitting costs nothing and callers skip building events.
 */
@Injectable()
export class SessionEvents implements OnApplicationBootstrap {
  private readonly logger = new Logger('SessionEvents');
  private readonly listeners: SessionEventsListener[] = [];
  private emitter?: EventEmitterLike;

  constructor(
    @Optional() private readonly discovery?: DiscoveryService,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery?.getProviders() ?? []) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype || !Reflect.getMetadata(SESSION_LISTENER_METADATA, metatype)) continue;
      if (typeof (instance as SessionEventsListener).onSessionEvent === 'function' && !this.listeners.includes(instance)) this.listeners.push(instance);
    }
    this.emitter = this.findEventEmitter();
  }

  /** Adds a listener (the shipped audit log uses this). */
  add(listener: SessionEventsListener): void {
    this.listeners.push(listener);
  }

  /** Whether anyone listens: callers skip building events (and extra reads) when not. */
  get active(): boolean {
    return this.listeners.length > 0 || this.emitter !== undefined;
  }

  /** Delivers one event to every listener, in parallel; failures are logged. */
  async emit(event: SessionEvent): Promise<void> {
    if (!this.active) return;
    const deliveries: Array<Promise<unknown>> = this.listeners.map(async (listener) => listener.onSessionEvent(event));
    if (this.emitter) deliveries.push(this.emitter.emitAsync(event.type, event));
    for (const result of await Promise.allSettled(deliveries)) {
      if (result.status === 'rejected') this.logger.error(`a listener of ${event.type} failed: ${(result.reason as Error)?.message ?? result.reason}`);
    }
  }

  /** Several events in order (e.g. the evictions of one sign-in). */
  async emitAll(events: SessionEvent[]): Promise<void> {
    for (const event of events) await this.emit(event);
  }

  /** The app's `EventEmitter2`, if `@nestjs/event-emitter` is installed and `EventEmitterModule` imported. */
  private findEventEmitter(): EventEmitterLike | undefined {
    let token: unknown;
    try {
      // Optional peer: required lazily so apps without it never load it.
      token = (require('@nestjs/event-emitter') as { EventEmitter2: unknown }).EventEmitter2;
    } catch {
      return undefined;
    }
    try {
      return this.moduleRef?.get(token as never, { strict: false }) as EventEmitterLike | undefined;
    } catch {
      return undefined;
    }
  }
}
