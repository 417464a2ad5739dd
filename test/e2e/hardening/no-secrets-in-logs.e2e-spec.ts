import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SESSION_DATA_SOURCE, SessionEntity, SessionService } from '../../../src';
import { hardeningApp } from '../../fixtures/hardening.app';
import { createTestApp, PLATFORMS } from '../../support/platforms';
import { SessionClient, TRANSFER_MODES } from '../../support/session-client';

/**
 * Issue 9 logs suite (token half): every error path of payload and token handling — refused
 * writes (protected key, too large, unstorable JSON), a stored payload too large to issue (refresh
 * and checkDatabase), token theft, tampered and foreign tokens, refused refreshes — is driven with
 * the Nest logger captured, and neither the log lines nor the error bodies contain an access
 * token, a refresh token, an anti-CSRF token or a session-data / payload value.
 */

/** Collects every line the app logs, at every level. */
class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  constructor() {
    super('test', { logLevels: ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'] });
  }
  protected override printMessages(messages: unknown[], context?: string, logLevel?: string): void {
    this.lines.push(`${logLevel} [${context}] ${messages.map((m) => (m instanceof Error ? `${m.message}\n${m.stack}` : typeof m === 'string' ? m : JSON.stringify(m))).join(' ')}`);
  }
  protected override printStackTrace(stack: string): void {
    this.lines.push(`stack ${stack}`);
  }
}

const DATA_SECRET = 'SESSION-DATA-SECRET-7f3a';
const PAYLOAD_SECRET = 'PAYLOAD-SECRET-91bc';

describe.each(PLATFORMS)('no secrets in logs or error bodies (%s)', (platform) => {
  const logger = new CapturingLogger();
  let app: INestApplication;
  let sessions: SessionService;
  const bodies: string[] = [];
  const secrets = new Set<string>([DATA_SECRET, PAYLOAD_SECRET]);

  beforeAll(async () => {
    app = await createTestApp(platform, hardeningApp({ antiCsrf: 'VIA_TOKEN' }), { logger });
    sessions = app.get(SessionService);
  });
  afterAll(() => app.close());

  async function signIn(mode: 'header' | 'cookie', userId: string): Promise<SessionClient> {
    const client = new SessionClient(app, mode);
    await client.login({ userId, payload: { note: PAYLOAD_SECRET }, data: { secret: DATA_SECRET } });
    for (const secret of [client.access, client.refresh, client.antiCsrf]) if (secret) secrets.add(secret);
    return client;
  }

  /** Error answers are checked (a successful answer may show the payload to its own session). */
  const keep = (res: { status: number; text: string }) => {
    if (res.status >= 400) bodies.push(res.text);
  };

  it.each(TRANSFER_MODES)('drives every error path in %s mode', async (mode) => {
    const client = await signIn(mode, `logs-${mode}`);
    const tooLarge = 'x'.repeat(9000);

    // Refused writes, each with a secret in the refused value.
    keep(await client.post('/merge', { update: { sub: DATA_SECRET } }));
    keep(await client.post('/merge', { update: { big: `${DATA_SECRET}${tooLarge}` } }));
    keep(await client.post('/merge', { update: { bad: `${DATA_SECRET}\u0000` } }));
    keep(await client.put('/payload', { payload: { bad: `${DATA_SECRET}\uD800` } }));
    keep(await client.put('/data', { data: { bad: `${DATA_SECRET}\u0000`, deep: { a: { b: DATA_SECRET } } } }));
    keep(await client.post('/claim', { value: `${DATA_SECRET}${tooLarge}` }));
    await sessions.mergeIntoAccessTokenPayload(client.handle!, { big: `${DATA_SECRET}${tooLarge}` }).catch((e: Error) => bodies.push(e.message));
    await sessions.updateSessionDataInDatabase(client.handle!, { bad: `${DATA_SECRET}\u0000` }).catch((e: Error) => bodies.push(e.message));

    // Tampered, foreign and missing tokens; a refused refresh; a missing anti-CSRF token.
    keep(await client.get('/me', `${client.access}x`));
    keep(await client.get('/strict', client.access!.split('.').reverse().join('.')));
    keep(await client.refreshSession(`${client.refresh}x`));
    keep(await client.post('/merge', { update: { ok: 1 } }).unset('anti-csrf'));

    // A stored payload too large to issue: checkDatabase and refresh answer 401 and log a warning.
    await app
      .get<DataSource>(SESSION_DATA_SOURCE)
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ accessTokenPayload: { big: `${PAYLOAD_SECRET}${tooLarge}` } })
      .where('session_handle = :handle', { handle: client.handle })
      .execute();
    keep(await client.get('/strict'));
    keep(await client.refreshSession());

    // Token theft: a refresh token superseded twice, presented again.
    const victim = await signIn(mode, `logs-theft-${mode}`);
    const stolen = victim.refresh!;
    await victim.refreshSession();
    await victim.refreshSession();
    for (const secret of [victim.access, victim.refresh]) if (secret) secrets.add(secret);
    keep(await victim.refreshSession(stolen));
  });

  it('the logs show the paths were taken (warnings for theft and for payloads too large to issue)', () => {
    const text = logger.lines.join('\n');
    expect(text).toMatch(/refresh token reuse/);
    expect(text).toMatch(/access token would be \d+ bytes/);
  });

  it('no token, refresh token, anti-CSRF token or session-data/payload value appears in a log line or an error body', () => {
    const haystacks = [...logger.lines, ...bodies];
    expect(haystacks.length).toBeGreaterThan(10);
    const leaks: string[] = [];
    for (const secret of secrets) {
      for (const text of haystacks) {
        // Tokens are also checked by their signature part alone.
        const probes = secret.includes('.') ? [secret, secret.split('.').at(-1)!] : [secret];
        if (probes.some((p) => p.length >= 8 && text.includes(p))) leaks.push(`${secret.slice(0, 12)}… in ${text.slice(0, 120)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
