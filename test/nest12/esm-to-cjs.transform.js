// Jest transform for the Nest 12 leg: jest's own module loader runs CommonJS, and Nest 12 is
// ESM-only, so its files (test/nest12/node_modules/@nestjs/**) are turned into CommonJS with
// esbuild as jest loads them. `createRequire(import.meta.url)` becomes jest's `require`, and
// dynamic `import()` a `require`, so every module, optional packages included, goes through
// jest's registry: one copy of each package per test file, as with Nest 11.
'use strict';
const crypto = require('node:crypto');
const { transformSync } = require('esbuild');

const IMPORT_META = 'var __import_meta_url = require("node:url").pathToFileURL(__filename).href;';

module.exports = {
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update('esm-to-cjs-1').update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    if (!/\b(import|export)\b/.test(source)) return { code: source };
    const code = source
      .replace(/const require = createRequire\(import\.meta\.url\);?/g, '')
      .replace(/createRequire\(import\.meta\.url\)/g, 'require');
    const result = transformSync(code, {
      loader: 'js',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: filename,
      sourcemap: 'inline',
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__import_meta_url', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
      banner: code.includes('import.meta') ? IMPORT_META : '',
      logLevel: 'silent',
    });
    return { code: result.code };
  },
};
