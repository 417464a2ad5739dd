import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSampleApp } from '../../sample-app/bootstrap';
import { Outbox } from '../../sample-app/outbox/outbox.service';

/**
 * Bundles the page with esbuild, as `npm run build:frontend` does (the same plain CommonJS
 * script): into sample-app/public/app.js by default; resolves to the bundle's path.
 */
export const buildFrontend: (options?: { outfile?: string; minify?: boolean }) => Promise<string> = require('../../scripts/build-frontend.js').buildFrontend;

const PUBLIC = path.join(__dirname, '..', '..', 'sample-app', 'public');

/** What the page's `config.js` says. */
export interface SiteConfig {
  apiDomain: string;
  apiBasePath: string;
  tokenTransferMethod: 'cookie' | 'header';
}

/** The sample's page, served from an origin of its own (a tiny static server, as a CDN would). */
export interface StaticSite {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Filled in once the API runs. */
  config: SiteConfig;
  close(): Promise<void>;
}

/**
 * Bundles the page (into a temporary directory, leaving the working copy's build alone) and
 * serves index.html, styles.css, the bundle and a `config.js` on 127.0.0.1 with a random port.
 */
export async function startStaticSite(): Promise<StaticSite> {
  const directory = mkdtempSync(path.join(tmpdir(), 'nest-session-page-'));
  const bundle = await buildFrontend({ outfile: path.join(directory, 'app.js'), minify: false });
  const files: Record<string, [string, string]> = {
    '/': ['text/html; charset=utf-8', readFileSync(path.join(PUBLIC, 'index.html'), 'utf8')],
    '/styles.css': ['text/css; charset=utf-8', readFileSync(path.join(PUBLIC, 'styles.css'), 'utf8')],
    '/app.js': ['text/javascript; charset=utf-8', readFileSync(bundle, 'utf8')],
  };
  const config: SiteConfig = { apiDomain: '', apiBasePath: '/auth', tokenTransferMethod: 'cookie' };
  const server = createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://site').pathname;
    const file = pathname === '/config.js' ? ['text/javascript; charset=utf-8', `window.NEWSROOM_CONFIG = ${JSON.stringify(config)};\n`] : files[pathname];
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  const port = await listen(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    config,
    close: async () => {
      await closeServer(server);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The sample app's API, booted as `npm start` boots it, on a loopback port. */
export interface RunningSampleApi {
  app: INestApplication;
  port: number;
  outbox: Outbox;
  close(): Promise<void>;
}

/**
 * Boots the sample app with `env` set while its configuration is read (in-memory database),
 * listening on 127.0.0.1 with a random port.
 */
export async function startSampleApi(env: Record<string, string>): Promise<RunningSampleApi> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  let app: INestApplication;
  try {
    app = await createSampleApp(false);
    await app.listen(0, '127.0.0.1');
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, outbox: app.get(Outbox), close: () => app.close() };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
