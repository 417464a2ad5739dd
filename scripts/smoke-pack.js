#!/usr/bin/env node
// `npm run smoke:pack` (run by .ci/run): the package as a user gets it.
//
//   1. `git clone` of this repository's HEAD (a fresh clone: no dist/, nothing untracked), with
//      this checkout's node_modules linked in, then `npm pack` there (prepack builds dist/);
//      `--worktree` packs this working tree instead (uncommitted changes included).
//   2. The tarball holds the compiled library, its types, the ESM entry, LICENSE and README,
//      and nothing of src/, test/, sample-app/ or bench/.
//   3. Two fresh apps in temp directories install the tarball from the npm registry's packages:
//      a Nest 11 + TypeORM 0.3 CommonJS app and a Nest 12 + TypeORM 1 ESM app ("type": "module").
//      Each first starts without better-sqlite3 (an optional peer) and must stop at start with
//      the module's message; then better-sqlite3 is linked in (this checkout's build: it
//      compiles from source for ~80 s otherwise) and each app starts with plain `node` and is
//      driven over HTTP: sign-in, the guarded route (401 without a token, 200 with), refresh,
//      the guarded route with the new token, signout, and the old refresh token refused.
//
// Prints one line per check and `N passed, N failed` last. npm uses its usual cache
// (--prefer-offline): a second run downloads nothing.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const TEMPLATE = fs.readFileSync(path.join(__dirname, 'smoke-pack', 'app.template.js'), 'utf8');
const NAMES = {
  nest: ['Body', 'Controller', 'Get', 'Inject', 'Module', 'Post', 'Req', 'Res', 'UseGuards'],
  core: ['NestFactory'],
  session: ['AuthGuard', 'Session', 'SessionModule', 'SessionService'],
};
const APPS = [
  {
    name: 'nest11-commonjs',
    type: 'commonjs',
    file: 'main.cjs',
    deps: ['@nestjs/common@^11', '@nestjs/core@^11', '@nestjs/platform-express@^11', '@nestjs/typeorm@^11', 'typeorm@^0.3.20', 'reflect-metadata@^0.2', 'rxjs@^7.8'],
    imports: [
      `require('reflect-metadata');`,
      `const { ${NAMES.nest.join(', ')} } = require('@nestjs/common');`,
      `const { ${NAMES.core.join(', ')} } = require('@nestjs/core');`,
      `const { ${NAMES.session.join(', ')} } = require('nest-session');`,
      `const { createTestSession } = require('nest-session/testing');`,
      `if (typeof createTestSession !== 'function') throw new Error('nest-session/testing exports no createTestSession');`,
    ].join('\n'),
    prefix: '',
  },
  {
    name: 'nest12-esm',
    type: 'module',
    file: 'main.mjs',
    deps: ['@nestjs/common@^12', '@nestjs/core@^12', '@nestjs/platform-express@^12', '@nestjs/typeorm@^12', 'typeorm@^1', 'reflect-metadata@^0.2', 'rxjs@^7.8'],
    imports: [
      `import 'reflect-metadata';`,
      `import { ${NAMES.nest.join(', ')} } from '@nestjs/common';`,
      `import { ${NAMES.core.join(', ')} } from '@nestjs/core';`,
      `import { ${NAMES.session.join(', ')} } from 'nest-session';`,
      `import { createTestSession } from 'nest-session/testing';`,
      `if (typeof createTestSession !== 'function') throw new Error('nest-session/testing exports no createTestSession');`,
    ].join('\n'),
    // A global prefix, as many apps have: the built-in routes move under it.
    prefix: `app.setGlobalPrefix('api');`,
  },
];

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
  return ok;
}

function run(cmd, args, cwd, what) {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (result.status !== 0) {
    throw new Error(`${what} failed (${cmd} ${args.join(' ')}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function pack(tmp) {
  let source = ROOT;
  if (!process.argv.includes('--worktree')) {
    source = path.join(tmp, 'clone');
    run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, source], tmp, 'git clone');
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
  }
  const out = run('npm', ['pack', '--json', '--pack-destination', tmp], source, 'npm pack');
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  return { tarball: path.join(tmp, info.filename), files: info.files.map((f) => f.path) };
}

function checkContents(files) {
  console.log(`tarball: ${files.length} files`);
  for (const needed of ['package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.mjs', 'dist/index.d.mts', 'dist/session.module.js', 'dist/testing/index.js', 'dist/testing/index.mjs', 'dist/testing/index.d.ts']) {
    check(`the tarball has ${needed}`, files.includes(needed));
  }
  const stray = files.filter((f) => !/^(package\.json|LICENSE|README\.md|CHANGELOG\.md|dist\/.+\.(js|mjs|d\.ts|d\.mts|js\.map))$/.test(f));
  check('nothing but the compiled library, its types and maps, README, CHANGELOG and LICENSE', stray.length === 0, stray.slice(0, 10).join(', '));
  check('no tests, fixtures, sample app or bench', !files.some((f) => /(^|\/)(test|sample-app|bench|src)\/|spec\./.test(f)));
  const maps = files.filter((f) => f.endsWith('.js.map'));
  check('source maps carry their sources (they resolve without src/)', maps.length > 0);
}

function start(dir, file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const done = (result) => {
      clearTimeout(timer);
      resolve({ ...result, child, output: () => output });
    };
    const timer = setTimeout(() => done({ port: undefined, timedOut: true }), 60000);
    const onData = (chunk) => {
      output += chunk;
      const m = /LISTENING (\d+)/.exec(output);
      if (m) done({ port: Number(m[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => done({ port: undefined, exitCode: code }));
  });
}

async function drive(base, prefix) {
  const post = (p, headers = {}, body) =>
    fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const signin = await post(`${prefix}/signin`, { 'st-auth-mode': 'header' }, { userId: 'user-1' });
  const access = signin.headers.get('st-access-token');
  const refresh = signin.headers.get('st-refresh-token');
  check('sign-in answers 201 with st-access-token, st-refresh-token and front-token', signin.status === 201 && !!access && !!refresh && !!signin.headers.get('front-token'), `status ${signin.status}`);

  const anonymous = await fetch(`${base}${prefix}/me`);
  check('the guarded route without a token answers 401', anonymous.status === 401, `status ${anonymous.status}`);
  const me = await fetch(`${base}${prefix}/me`, { headers: { authorization: `Bearer ${access}` } });
  const meBody = await me.json().catch(() => undefined);
  check('the guarded route with the access token answers 200 with the user', me.status === 200 && meBody?.userId === 'user-1' && meBody?.plan === 'free', `${me.status} ${JSON.stringify(meBody)}`);

  const refreshed = await post(`${prefix}/auth/session/refresh`, { authorization: `Bearer ${refresh}` });
  const access2 = refreshed.headers.get('st-access-token');
  const refresh2 = refreshed.headers.get('st-refresh-token');
  check(`refresh (${prefix}/auth/session/refresh) answers 200 with new tokens`, refreshed.status === 200 && !!access2 && !!refresh2 && refresh2 !== refresh, `status ${refreshed.status}`);
  const me2 = await fetch(`${base}${prefix}/me`, { headers: { authorization: `Bearer ${access2}` } });
  check('the guarded route with the refreshed access token answers 200', me2.status === 200, `status ${me2.status}`);

  const signout = await post(`${prefix}/auth/signout`, { authorization: `Bearer ${access2}` });
  check('signout answers 200 and clears the tokens', signout.status === 200 && signout.headers.get('front-token') === 'remove', `status ${signout.status}`);
  const after = await post(`${prefix}/auth/session/refresh`, { authorization: `Bearer ${refresh2}` });
  check('after signout the refresh token is refused with 401', after.status === 401, `status ${after.status}`);
}

async function smokeApp(app, tarball, tmp) {
  console.log(`\n${app.name} (${app.type}):`);
  const dir = path.join(tmp, app.name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `smoke-${app.name}`, private: true, type: app.type }, null, 2));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...app.deps], dir, `npm install in ${app.name}`);
  const versions = ['@nestjs/core', 'typeorm'].map((p) => `${p} ${JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')).version}`);
  console.log(`  installed: ${versions.join(', ')}`);
  fs.writeFileSync(path.join(dir, app.file), TEMPLATE.replace('/*IMPORTS*/', app.imports).replace('/*PREFIX*/', app.prefix));

  const missing = await start(dir, app.file);
  if (missing.port) missing.child.kill();
  check(
    'without better-sqlite3 the app stops at start with the module\'s message',
    !missing.port && /npm install better-sqlite3/.test(missing.output()),
    missing.output().slice(-500),
  );

  // This checkout's compiled better-sqlite3 (its own dependencies resolve from its real path).
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules', 'better-sqlite3')), path.join(dir, 'node_modules', 'better-sqlite3'), 'dir');
  const server = await start(dir, app.file);
  if (!check(`starts with plain \`node ${app.file}\``, !!server.port, server.output().slice(-1500))) return;
  try {
    await drive(`http://127.0.0.1:${server.port}`, app.prefix ? '/api' : '');
  } finally {
    server.child.kill('SIGTERM');
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nest-session-smoke-'));
  try {
    const { tarball, files } = pack(tmp);
    checkContents(files);
    for (const app of APPS) {
      try {
        await smokeApp(app, tarball, tmp);
      } catch (error) {
        check(`${app.name}`, false, error.message);
      }
    }
  } finally {
    if (!process.env.SMOKE_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
