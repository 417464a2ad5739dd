/**
 * Verify microbenchmark (issue 12): verifications per second of CPU time on one core, never-seen tokens
 * (verified-token cache off), for RS256, ES256 and EdDSA, side by side in one run:
 *
 *   crypto.verify          the floor: split the token, decode the signature, `crypto.verify` with a
 *                          `KeyObject` imported once. No header or payload parsing, no checks.
 *   crypto.verify + checks a complete hand-rolled verify: header JSON (alg and kid pinned), the
 *                          signature, payload JSON, `exp`. What an optimised path could cost.
 *   jose.jwtVerify         jose's full pipeline with the key imported once and the algorithm pinned.
 *   ours: verify path      the library's access-token verification (header, key lookup, signature,
 *                          expiry, payload shape), cache off: what the guard runs on a cache miss,
 *                          synchronous as the guard calls it (`AccessTokenService.verifyNow`)
 *                          (reached through `bench/internal.ts`, the one internal import).
 *   ours: getSessionWithoutRequestResponse   the same plus the session object and claim
 *                          validation, through the public API.
 *
 *   npm run bench:verify                    (builds, then node build/bench/verify.js)
 *   node build/bench/verify.js --rounds 5 --duration 1 --tokens 1000 --algorithms RS256,ES256 --cpu 0 --out FILE
 *   --quick: 2 short rounds.
 *
 * Each contender verifies the same pool of tokens in turn (one session each), for `--duration`
 * seconds per round, in an order rotated every round; figures are medians across rounds, cost
 * ratios medians of per-round ratios to `crypto.verify`. The process pins itself to one core
 * (`--cpu`, default 0) so a verify never migrates mid-measurement. Before measuring, every
 * contender must accept a valid token and refuse one with a changed signature.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createPublicKey, type JsonWebKey, type KeyObject, verify as cryptoVerify } from 'node:crypto';
import { importJWK, jwtVerify, type KeyLike } from 'jose';
import { SessionModule, SessionService, type SigningAlgorithm } from '../src';
import { accessTokenVerifier } from './internal';
import { flag, writeReport, listFlag, numberFlag, progress, QUICK } from './support/cli';
import { canPin, commandLine, cpuMicros, machineLine, pinSelf, sourceVersion } from './support/machine';
import { fmtFixed, fmtInt, fmtRatio, median, verdict } from './support/stats';

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const satisfies readonly SigningAlgorithm[];
type Algorithm = (typeof ALGORITHMS)[number];

const ROUNDS = Math.round(numberFlag('rounds', QUICK ? 2 : 5));
const DURATION = numberFlag('duration', QUICK ? 0.3 : 1);
const TOKENS = Math.round(numberFlag('tokens', QUICK ? 200 : 1000));
const ALGORITHM_LIST = listFlag('algorithms', ALGORITHMS, ALGORITHMS);
const CPU = Number(flag('cpu') ?? 0);
const OUT = flag('out') || undefined;

interface Contender {
  name: string;
  /** Throws (or rejects) on a refused token. */
  verify: (token: string) => unknown;
  async: boolean;
}

/** `crypto.verify` arguments per algorithm (JWS ES256 signatures are raw r‖s, not DER). */
function rawVerifier(algorithm: Algorithm, key: KeyObject) {
  const hash = algorithm === 'EdDSA' ? null : 'sha256';
  const keyInput = algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return (signingInput: string, signature: string) => cryptoVerify(hash, Buffer.from(signingInput), keyInput, Buffer.from(signature, 'base64url'));
}

function contenders(algorithm: Algorithm, jwk: JsonWebKey & { kid?: string }, joseKey: KeyLike, ours: Contender['verify'], session: SessionService): Contender[] {
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const check = rawVerifier(algorithm, key);
  return [
    {
      name: 'crypto.verify (signature only)',
      async: false,
      verify: (token) => {
        const dot = token.lastIndexOf('.');
        if (!check(token.slice(0, dot), token.slice(dot + 1))) throw new Error('bad signature');
      },
    },
    {
      name: 'crypto.verify + header, payload and exp checks',
      async: false,
      verify: (token) => {
        const [h, p, s] = token.split('.');
        const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; kid?: string };
        if (header.alg !== algorithm || header.kid !== jwk.kid) throw new Error('bad header');
        if (!check(`${h}.${p}`, s)) throw new Error('bad signature');
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { exp?: unknown };
        if (typeof payload.exp !== 'number' || payload.exp <= Date.now() / 1000) throw new Error('expired');
        return payload;
      },
    },
    { name: 'jose.jwtVerify (key imported once)', async: true, verify: (token) => jwtVerify(token, joseKey, { algorithms: [algorithm] }) },
    { name: 'ours: access-token verify path (cache off)', async: false, verify: ours },
    { name: 'ours: getSessionWithoutRequestResponse (public API)', async: true, verify: (token) => session.getSessionWithoutRequestResponse(token) },
  ];
}

/**
 * Verifications per second of CPU time (process-wide: jose's signature check runs on libuv's
 * thread pool) of `contender` over the pool, until it has used `seconds` of CPU: time the process
 * spends descheduled on a shared core does not count.
 */
async function opsPerSecond(contender: Contender, tokens: string[], seconds: number, start: number): Promise<{ ops: number; next: number }> {
  const batch = 32;
  let i = start;
  let ops = 0;
  const began = cpuMicros();
  let used = 0;
  while (used < seconds * 1e6) {
    if (contender.async) for (let k = 0; k < batch; k++) await contender.verify(tokens[i++ % tokens.length]);
    else for (let k = 0; k < batch; k++) contender.verify(tokens[i++ % tokens.length]);
    ops += batch;
    used = cpuMicros() - began;
  }
  return { ops: ops / (used / 1e6), next: i };
}

/** Every contender accepts a valid token and refuses one with a changed signature. */
async function selfCheck(list: Contender[], token: string): Promise<void> {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
  for (const c of list) {
    await c.verify(token);
    let refused = false;
    try {
      await c.verify(tampered);
    } catch {
      refused = true;
    }
    if (!refused) throw new Error(`${c.name} accepted a token with a changed signature`);
  }
}

interface AlgorithmResult {
  algorithm: Algorithm;
  names: string[];
  /** ops/s per contender, one per round. */
  ops: number[][];
}

async function measure(algorithm: Algorithm): Promise<AlgorithmResult> {
  @Module({
    imports: [
      SessionModule.forRoot({
        database: { type: 'better-sqlite3', database: ':memory:' },
        signingAlgorithm: algorithm,
        verifiedTokenCacheSize: 0,
        cleanupInterval: 0,
      }),
    ],
  })
  class VerifyBenchModule {}
  const app = await NestFactory.createApplicationContext(VerifyBenchModule, { logger: false });
  try {
    const session = app.get(SessionService);
    progress(`${algorithm}: minting ${TOKENS} tokens`);
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      tokens.push((await session.createNewSessionWithoutRequestResponse('public', `verify-user-${i}`, { name: 'Bench User', plan: 'pro' })).getAccessToken());
    }
    const jwk = session.getJWKS().keys[0] as JsonWebKey & { kid?: string };
    const list = contenders(algorithm, jwk, (await importJWK(jwk as never, algorithm)) as KeyLike, accessTokenVerifier(app), session);
    await selfCheck(list, tokens[0]);
    for (const c of list) await opsPerSecond(c, tokens, DURATION / 2, 0); // warm-up (JIT)
    const ops = list.map(() => [] as number[]);
    let cursor = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const order = list.map((_, i) => (i + round) % list.length);
      for (const i of order) {
        const run = await opsPerSecond(list[i], tokens, DURATION, cursor);
        cursor = run.next;
        ops[i].push(run.ops);
      }
      progress(`${algorithm} round ${round + 1}/${ROUNDS}: ${list.map((c, i) => `${c.name.split(' (')[0]} ${fmtInt(ops[i][round])}`).join(', ')}`);
    }
    return { algorithm, names: list.map((c) => c.name), ops };
  } finally {
    await app.close();
  }
}

function report(results: AlgorithmResult[], startedAt: Date, pinned: string): string {
  const lines = [
    `## Verify microbenchmark, ${startedAt.toISOString()} (${sourceVersion()})${QUICK ? ' — QUICK MODE, not figures to quote' : ''}`,
    '',
    `Command: \`${commandLine('verify.js')}\``,
    '',
    `${machineLine()}; ${pinned}. ${ROUNDS} rounds × ${DURATION} s of CPU time per contender (rates per second of process CPU time), ${TOKENS} distinct tokens per algorithm verified in turn, verified-token cache off.`,
    '',
    '| Algorithm | Path | verifications/s | µs/verify | cost ÷ crypto.verify | target |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    r.names.forEach((name, i) => {
      const cost = median(r.ops[i].map((ops, round) => r.ops[0][round] / ops));
      const isOurs = name.startsWith('ours: access-token');
      const target = isOurs && r.algorithm === 'RS256' ? `≤ 1.5× ${verdict(cost, 1.5, true)}` : '';
      lines.push(`| ${r.algorithm} | ${name} | ${fmtInt(median(r.ops[i]))} | ${fmtFixed(1e6 / median(r.ops[i]), 1)} | ${fmtRatio(cost)} | ${target} |`);
    });
  }
  lines.push(
    '',
    'cost ÷ crypto.verify: median over rounds of (µs per verify of the path) ÷ (µs per verify of crypto.verify in the same round); the issue-12 target is on our verify path, RS256.',
  );
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const pin = canPin();
  if (pin) pinSelf(CPU);
  const pinned = pin ? `pinned to CPU ${CPU} (taskset)` : 'not pinned';
  const results: AlgorithmResult[] = [];
  for (const algorithm of ALGORITHM_LIST) results.push(await measure(algorithm));
  const text = report(results, startedAt, pinned);
  writeReport(text, OUT);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
