import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample-config';
import { sampleCorsOptions } from './web/cors-options';

/**
 * The sample app as `npm start` runs it, not yet listening: CORS for `WEBSITE_ORIGIN` (when set)
 * and shutdown hooks. The browser tests start it the same way, on a port of their own.
 */
export async function createSampleApp(logger?: LoggerService | LogLevel[] | false): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, logger === undefined ? {} : { logger });
  app.enableShutdownHooks();
  const config = app.get<SampleConfig>(SAMPLE_CONFIG);
  if (config.websiteOrigins.length > 0) app.enableCors(sampleCorsOptions(config.websiteOrigins));
  return app;
}
