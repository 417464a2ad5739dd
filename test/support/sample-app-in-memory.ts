import type { INestApplication } from '@nestjs/common';
import { AppModule } from '../../sample-app/app.module';
import { createTestApp, type Platform } from './platforms';

/**
 * The sample app on a private in-memory database (`SAMPLE_DB=:memory:` while it boots: the app
 * reads its configuration then). `close()` closes it and puts `SAMPLE_DB` back.
 */
export async function startSampleAppInMemory(platform: Platform): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const previous = process.env.SAMPLE_DB;
  process.env.SAMPLE_DB = ':memory:';
  try {
    const app = await createTestApp(platform, { imports: [AppModule] });
    return { app, close: () => app.close() };
  } finally {
    if (previous === undefined) delete process.env.SAMPLE_DB;
    else process.env.SAMPLE_DB = previous;
  }
}
