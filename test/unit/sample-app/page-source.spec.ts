import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The sample page's source (sample-app/frontend/) leaves the session protocol to SuperTokens'
 * SDK: it imports supertokens-web-js and handles no token, front-token or refresh by hand.
 * Comments may name those things; the code may not.
 */
const FRONTEND = path.join(__dirname, '..', '..', '..', 'sample-app', 'frontend');

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The code without comments (line and block comments; the page has no such text in strings). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('the sample page source', () => {
  const files = sources(FRONTEND);

  it('is bundled from TypeScript files that import supertokens-web-js', () => {
    expect(files.length).toBeGreaterThan(5);
    const imports = files.map(code).join('\n');
    expect(imports).toMatch(/from 'supertokens-web-js'/);
    expect(imports).toMatch(/from 'supertokens-web-js\/recipe\/session'/);
    expect(imports).toMatch(/SuperTokens\.init\(/);
  });

  it.each([
    ['the front-token header', /front-token/i],
    ['the token headers', /st-(access|refresh)-token/i],
    ['the session cookies', /s(Access|Refresh)Token/],
    ['an Authorization header', /authorization/i],
    ['the refresh route', /session\/refresh/],
    ['the st-auth-mode header', /st-auth-mode/i],
    ['cookies by hand', /document\.cookie/],
    ['browser storage', /(local|session)Storage/],
    ['base64 decoding', /\batob\b|\bbtoa\b/],
  ])('never touches %s', (_what, pattern) => {
    for (const file of files) expect({ file: path.relative(FRONTEND, file), matches: pattern.test(code(file)) }).toEqual({ file: path.relative(FRONTEND, file), matches: false });
  });
});
