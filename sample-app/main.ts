import { Logger } from '@nestjs/common';
import { createSampleApp } from './bootstrap';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample-config';
import { DEMO_USERS } from './users/demo-users.seeder';

/** `npm start`: the sample app on http://localhost:3000 (PORT), data in ./sample-app.sqlite (SAMPLE_DB). */
async function bootstrap(): Promise<void> {
  const app = await createSampleApp();
  const config = app.get<SampleConfig>(SAMPLE_CONFIG);
  await app.listen(config.port);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  new Logger('SampleApp').log(startupMessage(`http://localhost:${port}`, config));
}

function startupMessage(url: string, config: SampleConfig): string {
  const demo = DEMO_USERS[0];
  return [
    `listening on ${url} (database: ${config.databaseFile}, access tokens valid ${config.accessTokenValidity}s, page in ${config.tokenTransferMethod} mode)`,
    config.websiteOrigins.length > 0 ? `CORS with credentials for ${config.websiteOrigins.join(', ')}` : 'CORS off (set WEBSITE_ORIGIN to call this API from a page served elsewhere)',
    `open ${url}/ in a browser, or try (2FA codes and verification links appear in this log, from "Outbox"):`,
    `  curl -i -X POST ${url}/signin -H 'content-type: application/json' -d '{"email":"${demo.email}","password":"${demo.password}"}'`,
    `  curl -i -X POST ${url}/2fa/verify -H "authorization: Bearer <st-access-token>" -H 'content-type: application/json' -d '{"code":"<code from the log>"}'`,
    `  curl -i ${url}/me -H "authorization: Bearer <st-access-token from the 2FA response>"`,
    `  curl -i ${url}/admin/dashboard -H "authorization: Bearer <st-access-token>"`,
    `  curl -i -X POST ${url}/auth/session/refresh -H "authorization: Bearer <st-refresh-token>"`,
    `  curl -i -X POST ${url}/auth/signout -H "authorization: Bearer <st-access-token>"`,
    `  curl -i -X POST ${url}/signup -H 'content-type: application/json' -d '{"email":"carol@example.com","password":"carol-password"}'`,
  ].join('\n');
}

void bootstrap().catch((error: unknown) => {
  new Logger('SampleApp').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
