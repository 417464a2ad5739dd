// Throw-away experiment of branch floor (bench/RESULTS.md): Fastify pipeline with no-op guards that attach like ours. Copy to build/bench/ after a build, then: node build/bench/exp-floor.js noop,noop-attach,noop-session,noop-sym 61 300
require('reflect-metadata');
const { Module, Controller, Get, UseGuards, Injectable } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const fs = require('fs'), os = require('os'), path = require('path');
const { cpuMicros, pinSelf, canPin } = require('./support/machine');
const { median } = require('./support/stats');
const { benchSessionModule, mintTokens } = require('./throughput-tokens');
const { AuthGuard } = require('../src');
const BODY = { hello: 'world' };
function ctrl(guard) {
  class C { hello() { return BODY; } }
  const d = Object.getOwnPropertyDescriptor(C.prototype, 'hello');
  Reflect.decorate([Get('hello'), ...(guard ? [UseGuards(guard)] : [])], C.prototype, 'hello', d);
  return Reflect.decorate([Controller()], C);
}
const SYM = Symbol('state'); const WM = new WeakMap();
const g = (fn) => { class G { canActivate(c) { return fn(c); } } return Reflect.decorate([Injectable()], G); };
const sessionObj = { a: 1 };
const V = {
  bare: () => ({ controllers: [ctrl()] }),
  noop: () => ({ controllers: [ctrl(g(async () => true))] }),
  'noop-sync': () => ({ controllers: [ctrl(g(() => true))] }),
  'noop-attach': () => ({ controllers: [ctrl(g((c) => { const r = c.switchToHttp().getRequest(); r[SYM] = { session: sessionObj }; r.session = sessionObj; return true; }))] }),
  'noop-session': () => ({ controllers: [ctrl(g((c) => { const r = c.switchToHttp().getRequest(); r.session = sessionObj; return true; }))] }),
  'noop-wmattach': () => ({ controllers: [ctrl(g((c) => { const r = c.switchToHttp().getRequest(); WM.set(r, { session: sessionObj }); r.session = sessionObj; return true; }))] }),
  'noop-wm': () => ({ controllers: [ctrl(g((c) => { const r = c.switchToHttp().getRequest(); WM.set(r, { session: sessionObj }); return true; }))] }),
  'noop-attach-decorated': () => ({ controllers: [ctrl(g((c) => { const r = c.switchToHttp().getRequest(); r[SYM] = { session: sessionObj }; r.session = sessionObj; return true; }))] }),
  'noop-sym': () => ({ controllers: [ctrl(g((c) => { const r = c.switchToHttp().getRequest(); r[SYM] = { session: sessionObj }; return true; }))] }),
  'module-noop': (file) => ({ imports: [benchSessionModule(file)], controllers: [ctrl(g(() => true))] }),
  ours: (file) => ({ imports: [benchSessionModule(file)], controllers: [ctrl(AuthGuard)] }),
};
const list = (process.argv[2] || Object.keys(V).join(',')).split(',');
const ROUNDS = Number(process.argv[3] || 15), BATCH = Number(process.argv[4] || 500);
async function main() {
  if (canPin()) pinSelf(0);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'exp-floor-')), 's.sqlite');
  const minted = await mintTokens(file, 0);
  const authorization = `Bearer ${minted.single}`;
  const servers = [];
  for (const v of list) {
    const M = Reflect.decorate([Module(V[v](file))], class {});
    const app = await NestFactory.create(M, new FastifyAdapter(), { logger: false });
    if (v.endsWith('-decorated')) { const f0 = app.getHttpAdapter().getInstance(); f0.decorateRequest('session', null); f0.decorateRequest(SYM, null); }
    await app.init();
    const f = app.getHttpAdapter().getInstance(); await f.ready();
    const send = async () => (await f.inject({ method: 'GET', url: '/hello', headers: { authorization } })).statusCode;
    if ((await send()) !== 200) throw new Error(v);
    servers.push({ v, send, app, r: [] });
  }
  const run = async (s) => { const b = cpuMicros(); for (let i = 0; i < BATCH; i++) await s.send(); return (cpuMicros() - b) / BATCH; };
  for (const s of servers) await run(s);
  for (let round = 0; round < ROUNDS; round++) for (let k = 0; k < servers.length; k++) { const s = servers[(k + round) % servers.length]; s.r.push(await run(s)); }
  const ref = servers.find((s) => s.v === 'noop') ?? servers[0];
  for (const s of servers) console.log(`${s.v.padEnd(14)} ${median(s.r).toFixed(1).padStart(7)} µs  ÷noop ${median(s.r.map((x, i) => ref.r[i] / x)).toFixed(3)}×  Δ ${median(s.r.map((x, i) => x - ref.r[i])).toFixed(1)} µs`);
  for (const s of servers) await s.app.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
