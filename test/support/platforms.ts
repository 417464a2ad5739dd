import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

/** The HTTP platforms every e2e suite runs on. */
export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/** How the app is served: `trustProxy` = Express `trust proxy` / Fastify `trustProxy` (so `X-Forwarded-For` sets `request.ip`). */
export interface TestAppOptions {
  trustProxy?: boolean;
  logger?: LoggerService;
}

/**
 * Builds, initialises and (for Fastify) readies a Nest app for supertest. Close it with
 * `app.close()`. Silent unless given a `logger` (the logs suite captures one).
 */
export async function createTestApp(platform: Platform, metadata: ModuleMetadata, options: TestAppOptions = {}): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const logger = options.logger ?? false;
  if (platform === 'fastify') {
    const adapter = new FastifyAdapter(options.trustProxy ? { trustProxy: true } : undefined);
    const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }
  const app = moduleRef.createNestApplication({ logger });
  if (options.trustProxy) app.getHttpAdapter().getInstance().set('trust proxy', true);
  await app.init();
  return app;
}
