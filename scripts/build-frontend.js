#!/usr/bin/env node
// `npm run build:frontend` (run by `npm start` through `prestart`): bundles the sample app's
// page, sample-app/frontend/main.ts with supertokens-web-js, into sample-app/public/app.js
// (generated, git-ignored) with esbuild. Type errors are caught by
// `tsc -p sample-app/frontend/tsconfig.json`, which the npm script runs first.
'use strict';
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const ENTRY = path.join(ROOT, 'sample-app', 'frontend', 'main.ts');
/** Where the sample app serves the page's script from (see sample-app/web/public-files.ts). */
const BUNDLE = path.join(ROOT, 'sample-app', 'public', 'app.js');

/** Builds the bundle; resolves to its path. */
async function buildFrontend({ outfile = BUNDLE, minify = true } = {}) {
  const esbuild = require('esbuild');
  try {
    await esbuild.build({
      entryPoints: [ENTRY],
      outfile,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      minify,
      legalComments: 'eof',
      logLevel: 'warning',
    });
  } finally {
    // esbuild's API keeps a helper process; tests call this in-process, so end it.
    await esbuild.stop();
  }
  return outfile;
}

module.exports = { buildFrontend, BUNDLE };

if (require.main === module) {
  const started = Date.now();
  buildFrontend()
    .then((file) => console.log(`built ${path.relative(ROOT, file)} in ${Date.now() - started} ms`))
    .catch((error) => {
      console.error(error.message || error);
      process.exit(1);
    });
}
