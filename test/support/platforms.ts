import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

/** The HTTP platforms every e2e suite runs on. */
export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/** Builds, initialises and (for Fastify) readies a Nest app for supertest. Close it with `app.close()`. */
export async function createTestApp(platform: Platform, metadata: ModuleMetadata): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  if (platform === 'fastify') {
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}
