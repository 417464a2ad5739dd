import { type DynamicModule, Module } from '@nestjs/common';
import type { SessionModuleOptions } from '../config/session-module-options';
import { SessionModule } from '../session.module';
import type { SessionModuleForRootOptions } from '../session.module-definition';
import { TestClock } from './test-clock';

/**
 * Options for tests: an in-memory SQLite database (each app its own, gone when it closes), no
 * cleanup timer, and the given overrides. Use it where an app declares `SessionModule` itself:
 * `SessionModule.forRoot(testSessionOptions({ clock }))`.
 */
export function testSessionOptions(overrides: SessionModuleOptions = {}): SessionModuleOptions {
  return { database: { type: 'better-sqlite3', database: ':memory:' }, cleanupInterval: 0, ...overrides };
}

/**
 * `SessionModule` for an app's tests, with {@link testSessionOptions} and a {@link TestClock}
 * (yours, or a new one) as the module's clock; the clock is injectable (`app.get(TestClock)`).
 * Takes every `SessionModule.forRoot` option and extra (`globalGuard`, `apiBasePath`...).
 */
@Module({})
export class SessionTestingModule {
  static forRoot(options: SessionModuleForRootOptions & { clock?: TestClock } = {}): DynamicModule {
    const clock = options.clock ?? new TestClock();
    return {
      module: SessionTestingModule,
      global: true,
      imports: [SessionModule.forRoot({ ...testSessionOptions(options), clock })],
      providers: [{ provide: TestClock, useValue: clock }],
      exports: [TestClock],
    };
  }
}
