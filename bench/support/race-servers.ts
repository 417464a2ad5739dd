/**
 * The servers of the throughput race, shared by the race (`throughput.ts`) and the instruction
 * counts (`instructions.ts`): minting the tokens every variant sends and the environment the
 * servers read (`SERVER_ENV`, the SuperTokens core stub), forking `throughput-server.js` for one
 * adapter × variant (under whatever launcher the caller gives: `taskset`, `valgrind`), talking
 * to it over IPC, checking it answers as it should, stopping it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { PROTECTED_PAYLOAD_KEYS } from '../../src';
import { fmtInt } from './stats';
import { progress } from './cli';
import { SuperTokensCoreStub } from '../supertokens-stub';
import type { PoolUse } from '../throughput-report';
import { mintTokens } from '../throughput-tokens';
import { SERVER_ENV, VARIANTS, type Adapter, type Variant } from '../throughput-variants';

export interface Server {
  adapter: Adapter;
  variant: Variant;
  child: ChildProcess;
  port: number;
  /** Bearer tokens this server's requests carry, in turn (one for every variant but the pool one). */
  tokens: string[];
  cursor: number;
  /** Pool variants: how many times each token of the pool was sent to this server. */
  sends?: Uint32Array;
}

/** How to start a server process: `fork()`'s `execPath` and `execArgv` (e.g. from `pinnedForkOptions`). */
export interface Launcher {
  execPath?: string;
  execArgv: string[];
}

/** The tokens and server environment of a run; `close()` stops the core stub. */
export interface RaceSetup {
  env: NodeJS.ProcessEnv;
  tokensFor(variant: Variant): string[];
  stub?: SuperTokensCoreStub;
  close(): Promise<void>;
}

/** Custom claims of a token of ours (for SuperTokens tokens of the same shape and size). */
function customClaimsOf(token: string): Record<string, unknown> {
  const payload = decodeJwt(token) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !PROTECTED_PAYLOAD_KEYS.includes(key)));
}

/**
 * Mints our tokens in the SQLite file `databaseFile` (a pool of `poolSize` more when a variant
 * sends never-seen tokens) and, when `supertokens` is among the variants, starts the core stub
 * and mints its token of the same payload.
 */
export async function prepareRace(databaseFile: string, variants: Variant[], poolSize: number): Promise<RaceSetup> {
  const needsPool = variants.some((v) => VARIANTS[v].token === 'ours-pool');
  progress(`minting ${needsPool ? `1 + ${fmtInt(poolSize)}` : '1'} access tokens in ${databaseFile}`);
  const minted = await mintTokens(databaseFile, needsPool ? poolSize : 0, (n) => progress(`  ${fmtInt(n)} minted`));
  const env: NodeJS.ProcessEnv = { [SERVER_ENV.database]: databaseFile, [SERVER_ENV.publicJwk]: JSON.stringify(minted.jwks.keys[0]) };
  const stub = variants.includes('supertokens') ? new SuperTokensCoreStub() : undefined;
  let supertokensToken: string | undefined;
  if (stub) {
    env[SERVER_ENV.supertokensCore] = await stub.start();
    supertokensToken = await stub.mint('bench-user-0', customClaimsOf(minted.single));
  }
  return {
    env,
    stub,
    tokensFor: (variant) => {
      const kind = VARIANTS[variant].token;
      return kind === 'ours-pool' ? minted.pool : kind === 'supertokens' ? [supertokensToken!] : [minted.single];
    },
    close: async () => {
      await stub?.stop();
    },
  };
}

/** The stub's line of a report: what it received during the run. */
export function stubReportLine(stub: SuperTokensCoreStub): string {
  return (
    `SuperTokens core stub, requests received during the whole run: ${stub.describeHits()}` +
    (stub.unexpectedHits() > 0 ? ` — **${stub.unexpectedHits()} beyond the JWKS and the API version**` : ' (nothing beyond the JWKS and the API version).')
  );
}

/** Forks `throughput-server.js <adapter> <variant>` and resolves once it listens. */
export function startServer(adapter: Adapter, variant: Variant, env: NodeJS.ProcessEnv, tokens: string[], launcher: Launcher): Promise<Server> {
  const child = fork(path.join(__dirname, '..', 'throughput-server.js'), [adapter, variant], {
    ...launcher,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`server ${adapter}/${variant} exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.once('message', (message: { port: number }) => {
      child.off('exit', onExit);
      resolve({ adapter, variant, child, port: message.port, tokens, cursor: 0, sends: tokens.length > 1 ? new Uint32Array(tokens.length) : undefined });
    });
  });
}

/** Sends a message to a server and waits for its answer of type `answer`. */
export function ask<T>(server: Server, message: object, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      server.child.off('message', onMessage);
      resolve(reply as T);
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

/** Asks the server to close and exit; kills it after `graceMs`. */
// Not `servers.map(stopServer)`: map's index would be taken for `graceMs`, and a server given 0 ms
// is killed before it writes its CPU profile.
export function stopServer(server: Server, graceMs = 15_000): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (server.child.connected) server.child.send({ type: 'stop' });
    else server.child.kill('SIGTERM');
  });
}

/** The `authorization` header of the server's next request: the one token, or the pool's next one (counted). */
export function nextAuthorization(server: Server): string {
  if (!server.sends) return `Bearer ${server.tokens[0]}`;
  const index = server.cursor++ % server.tokens.length;
  server.sends[index]++;
  return `Bearer ${server.tokens[index]}`;
}

/** Requests and distinct tokens sent to a pool server, and the most times any one token was sent. */
export function poolSends(server: Server): PoolUse {
  let distinct = 0;
  let maxSends = 0;
  for (const n of server.sends!) {
    if (n > 0) distinct++;
    if (n > maxSends) maxSends = n;
  }
  return { server: `${server.adapter}/${server.variant}`, sent: server.cursor, distinct, maxSends };
}

/** 200 `{"hello":"world"}` with the token; 401 without it on guarded variants. */
export async function checkServer(server: Server): Promise<void> {
  const url = `http://127.0.0.1:${server.port}/hello`;
  const ok = await fetch(url, { headers: { authorization: nextAuthorization(server) } });
  const body = await ok.text();
  if (ok.status !== 200 || body !== '{"hello":"world"}') throw new Error(`${server.adapter}/${server.variant}: expected 200 {"hello":"world"}, got ${ok.status} ${body}`);
  if (VARIANTS[server.variant].guarded) {
    const refused = await fetch(url);
    await refused.arrayBuffer();
    if (refused.status !== 401) throw new Error(`${server.adapter}/${server.variant}: expected 401 without a token, got ${refused.status}`);
  }
}
