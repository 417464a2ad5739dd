import { jwtHeader, jwtPayload } from '../support/tokens';
import {
  type AppInstance,
  client,
  freshDatabase,
  type FreshDatabase,
  type InstanceClient,
  liveInstanceCount,
  multiInstanceGate,
  type ServerFamily,
  startInstances,
  stopAllInstances,
  type Tokens,
} from '../support/instances';
import { SESSION_MIGRATIONS } from '../../src';

/**
 * Instances of one app coordinate through the database alone: several real app processes (`node`, one loopback port
 * each, `test/fixtures/instance/main.ts`) on ONE database, as behind a load balancer. The database
 * does all the coordination: refresh rotation is a compare-and-set, signing keys are unique per
 * (algorithm, generation), an unknown `kid` reloads keys.
 *
 * PostgreSQL runs everything; MySQL/MariaDB runs the key race (start and rotation). Each suite is
 * skipped with a message when its server is unreachable, unless `TEST_DB` is that database or
 * `TEST_DATABASES` lists it (then it fails). Servers: `TEST_POSTGRES_URL`, `TEST_MYSQL_URL`.
 */

/** Instances per suite: enough for races, few enough for 2 cores (each start costs ~2.5 s of CPU). */
const INSTANCES = 4;
const STARTUP_LIMIT_MS = 180_000;

type Suite = (family: ServerFamily) => void;

function describeOn(family: ServerFamily, title: string, body: Suite): void {
  const gate = multiInstanceGate(family);
  if (gate.run) {
    describe(title, () => body(family));
    return;
  }
  if (gate.mandatory) {
    describe(title, () => {
      it('needs its database server', () => {
        throw new Error(gate.message);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(gate.message);
  describe.skip(`${title} (${gate.message})`, () => body(family));
}

/** A started cluster on a fresh, empty database; stopped and dropped in afterAll. */
function useCluster(family: ServerFamily, sessionOptions: Record<string, unknown> = {}) {
  const state: { db?: FreshDatabase; instances: AppInstance[]; clients: InstanceClient[]; startedInMs: number; exitCodes: (number | null)[] } = {
    instances: [],
    clients: [],
    startedInMs: 0,
    exitCodes: [],
  };
  beforeAll(async () => {
    const gate = multiInstanceGate(family);
    state.db = freshDatabase(family, gate.probe!.typeormType);
    const started = Date.now();
    state.instances = await startInstances({
      count: INSTANCES,
      database: state.db.options,
      sessionOptions: { accessTokenValidity: 600, ...sessionOptions },
      namePrefix: family === 'postgres' ? 'pg' : 'my',
      // Four ts-node processes compiling at once on a loaded machine: use the whole hook's budget.
      startupTimeoutMs: STARTUP_LIMIT_MS - 10_000,
    });
    state.startedInMs = Date.now() - started;
    state.clients = state.instances.map(client);
  }, STARTUP_LIMIT_MS);
  afterAll(async () => {
    try {
      state.exitCodes = await stopAllInstances(state.instances);
    } finally {
      state.db?.drop();
    }
    // Every instance closed its app and pool and exited 0 on SIGTERM; nothing is left running.
    expect(liveInstanceCount()).toBe(0);
    expect(state.exitCodes).toEqual(state.instances.map(() => 0));
  }, 60_000);
  return state;
}

/** Verifies `access` on every instance; returns the failures as `instance: status body`. */
async function verifyEverywhere(clients: InstanceClient[], access: string, route: 'me' | 'strict' = 'me'): Promise<string[]> {
  const replies = await Promise.all(clients.map((c) => c[route](access)));
  return replies.flatMap((r, i) => (r.status === 200 ? [] : [`${clients[i].instance.name}: ${r.status} ${JSON.stringify(r.body)}`]));
}

/** Exactly one key at start, exactly one per simultaneous rotation, no failed verification. */
function keyRaceTests(state: ReturnType<typeof useCluster>): void {
  let firstKid: string;

  it(`${INSTANCES} instances started at once on an empty database create exactly one signing key (and migrate once)`, async () => {
    const { clients } = state;
    const keys = await clients[0].keys();
    expect(keys.status).toBe(200);
    expect(keys.body.rows).toHaveLength(1);
    expect(keys.body.rows[0].generation).toBe(1);
    firstKid = keys.body.rows[0].kid;
    // Every instance publishes and signs with that one key.
    for (const c of clients) expect((await c.keys()).body.jwks).toEqual([firstKid]);
    const sessions = await Promise.all(clients.map((c, i) => c.login(`starter-${i}`)));
    for (const s of sessions) expect(jwtHeader(s.access).kid).toBe(firstKid);
    // The shipped migrations ran exactly once, under the lock, though every instance ran them.
    const migrations = await clients[0].migrations();
    expect(migrations.body.names).toEqual(SESSION_MIGRATIONS.map((m) => (m as unknown as { name: string }).name));
  });

  it('a rotation triggered on every instance at once creates exactly one new key; no verification fails across it', async () => {
    const { clients } = state;
    // Tokens signed before the rotation, one per instance.
    const before = await Promise.all(clients.map((c, i) => c.login(`before-rotation-${i}`)));

    // Verification traffic on every instance during the rotation.
    const failures: string[] = [];
    let verified = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        const replies = await Promise.all(before.flatMap((s) => clients.map(async (c) => [c.instance.name, await c.me(s.access)] as const)));
        for (const [name, r] of replies) {
          if (r.status === 200) verified++;
          else failures.push(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }
    })();

    const rotations = await Promise.all(clients.map((c) => c.rotateKey()));
    running = false;
    await traffic;
    expect(rotations.map((r) => r.status)).toEqual(clients.map(() => 200));
    const newKid = rotations[0].body.kid;
    expect(newKid).not.toBe(firstKid);
    // Every instance now signs with the one new key.
    expect(rotations.map((r) => [r.body.kid, r.body.generation])).toEqual(clients.map(() => [newKid, 2]));
    const keys = (await clients[0].keys()).body.rows;
    expect(keys.map((k) => k.generation)).toEqual([1, 2]);
    expect(keys.map((k) => k.kid)).toEqual([firstKid, newKid]);

    expect(failures).toEqual([]);
    expect(verified).toBeGreaterThan(0);

    // Tokens signed before still verify everywhere; tokens signed after, by any instance, verify on every other at once.
    for (const s of before) expect(await verifyEverywhere(clients, s.access)).toEqual([]);
    const after = await Promise.all(clients.map((c, i) => c.login(`after-rotation-${i}`)));
    for (const s of after) expect(jwtHeader(s.access).kid).toBe(newKid);
    for (const s of after) expect(await verifyEverywhere(clients, s.access)).toEqual([]);
  });

  it('a key created by one instance verifies at once on the others (unknown kid → reload, waiting rather than failing)', async () => {
    const [a, ...others] = state.clients;
    // Two rotations on A within the reload interval: the second unknown kid on the others waits
    // for the next allowed reload instead of failing.
    const generations: number[] = [];
    for (let round = 0; round < 2; round++) {
      const rotated = await a.rotateKey();
      expect(rotated.status).toBe(200);
      generations.push(rotated.body.generation);
      const session = await a.login(`solo-rotation-${round}`);
      expect(jwtHeader(session.access).kid).toBe(rotated.body.kid);
      const started = Date.now();
      expect(await verifyEverywhere(others, session.access)).toEqual([]);
      // At most one reload interval (1 s) of waiting, plus the query.
      expect(Date.now() - started).toBeLessThan(3000);
      // Each of the others picked the key up without a restart, and signs with it now.
      for (const c of others) {
        expect((await c.keys()).body.jwks).toContain(rotated.body.kid);
        const theirs = await c.login(`after-solo-${round}`);
        expect(jwtHeader(theirs.access).kid).toBe(rotated.body.kid);
        expect(await verifyEverywhere(state.clients, theirs.access)).toEqual([]);
      }
    }
    expect(generations).toEqual([3, 4]);
    expect((await a.keys()).body.rows.map((k) => k.generation)).toEqual([1, 2, 3, 4]);
  });
}

describeOn('postgres', `multi-instance: ${INSTANCES} node processes on one PostgreSQL database`, (family) => {
  const state = useCluster(family);

  it('starts every instance on its own loopback port', () => {
    const ports = state.instances.map((i) => i.port);
    expect(new Set(ports).size).toBe(INSTANCES);
    // eslint-disable-next-line no-console
    console.log(`${INSTANCES} instances ready in ${state.startedInMs} ms (ports ${ports.join(', ')})`);
  });

  describe('key race', () => keyRaceTests(state));

  it('sign in on A, verify on B, offline merge on B, refresh on A sees it, revoke on A, checkDatabase on B refuses', async () => {
    const [a, b] = state.clients;
    const s = await a.login('alice', { plan: 'free' });

    const onB = await b.me(s.access);
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ instance: b.instance.name, userId: 'alice', sessionHandle: s.handle, payload: { plan: 'free' } });
    expect((await b.strict(s.access)).status).toBe(200);

    const merged = await b.merge(s.handle, { plan: 'pro', seats: 5 });
    expect(merged.status).toBe(200);
    expect(merged.body.merged).toBe(true);

    const refreshed = await a.refresh(s.refresh);
    expect(refreshed.status).toBe(200);
    expect(jwtPayload(refreshed.tokens!.access)).toMatchObject({ sub: 'alice', sessionHandle: s.handle, plan: 'pro', seats: 5 });
    const afterRefresh = await b.me(refreshed.tokens!.access);
    expect(afterRefresh.status).toBe(200);
    expect(afterRefresh.body.payload).toMatchObject({ plan: 'pro', seats: 5 });

    const revoked = await a.revoke(s.handle);
    expect(revoked.body.revoked).toBe(true);

    const strict = await b.strict(refreshed.tokens!.access);
    expect(strict.status).toBe(401);
    expect(strict.body).toEqual({ message: 'unauthorised' });
    // Without checkDatabase the still-unexpired JWT is accepted: verification does not touch the database.
    expect((await b.me(refreshed.tokens!.access)).status).toBe(200);
    // The session is gone for every instance: no refresh anywhere.
    for (const c of state.clients) expect((await c.refresh(refreshed.tokens!.refresh)).status).toBe(401);
  });

  it('100 concurrent refreshes across instances, distinct sessions: all succeed', async () => {
    const { clients } = state;
    const sessions = await Promise.all(Array.from({ length: 100 }, (_, i) => clients[i % INSTANCES].login(`many-${i}`)));
    // Each refresh goes to another instance than the one that created the session.
    const refreshed = await Promise.all(sessions.map((s, i) => clients[(i + 1) % INSTANCES].refresh(s.refresh)));
    const statuses = refreshed.map((r) => r.status);
    expect(statuses.filter((st) => st !== 200)).toEqual([]);
    const newRefreshTokens = refreshed.map((r) => r.tokens!.refresh);
    expect(new Set(newRefreshTokens).size).toBe(100);
    newRefreshTokens.forEach((t, i) => expect(t).not.toBe(sessions[i].refresh));
    // The new tokens work on a third instance, with the database checked.
    const checks = await Promise.all(refreshed.map((r, i) => clients[(i + 2) % INSTANCES].strict(r.tokens!.access)));
    checks.forEach((c, i) => {
      expect(c.status).toBe(200);
      expect(c.body.sessionHandle).toBe(sessions[i].handle);
    });
  });

  it('the same refresh token sent to two instances at once: both 200 with the same new refresh token, no theft alarm', async () => {
    const { clients } = state;
    const session = await clients[0].login('twin-tabs');
    let token: Tokens = session;
    for (let round = 0; round < 6; round++) {
      const x = clients[round % INSTANCES];
      const y = clients[(round + 1) % INSTANCES];
      const [r1, r2] = await Promise.all([x.refresh(token.refresh), y.refresh(token.refresh)]);
      expect([r1.status, r2.status, r1.body, r2.body]).toEqual([200, 200, {}, {}]);
      expect(r1.tokens!.refresh).toBe(r2.tokens!.refresh);
      expect(r1.tokens!.refresh).not.toBe(token.refresh);
      // Both access tokens are good, and the session is alive in the database.
      expect(await verifyEverywhere(clients, r1.tokens!.access, 'strict')).toEqual([]);
      expect(await verifyEverywhere(clients, r2.tokens!.access, 'strict')).toEqual([]);
      token = r1.tokens!;
    }
    // And the chain continues normally from the shared child.
    const next = await clients[2].refresh(token.refresh);
    expect(next.status).toBe(200);
  });

  it('the same refresh token sent to every instance at once, for 20 sessions at once: all 200, one child per session', async () => {
    const { clients } = state;
    const sessions = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % INSTANCES].login(`stampede-${i}`)));
    for (let round = 0; round < 3; round++) {
      const replies = await Promise.all(sessions.map((s) => Promise.all(clients.map((c) => c.refresh(s.refresh)))));
      replies.forEach((perSession, i) => {
        expect(perSession.map((r) => r.status)).toEqual(clients.map(() => 200));
        expect(new Set(perSession.map((r) => r.tokens!.refresh)).size).toBe(1);
        sessions[i] = { ...sessions[i], ...perSession[0].tokens! };
      });
    }
    // Nothing was revoked as theft.
    const alive = await Promise.all(sessions.map((s, i) => clients[i % INSTANCES].strict(s.access)));
    expect(alive.map((r) => r.status)).toEqual(sessions.map(() => 200));
  });
});

describeOn('mysql', `multi-instance key race: ${INSTANCES} node processes on one MySQL/MariaDB database`, (family) => {
  const state = useCluster(family);
  keyRaceTests(state);
});
