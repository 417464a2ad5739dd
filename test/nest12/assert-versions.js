// setupFiles of the Nest 12 leg: every test file fails at once unless @nestjs/core and typeorm
// resolve to Nest 12 and TypeORM 1 (a resolver that silently fell back to the root's Nest 11
// would prove nothing).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function versionOf(name) {
  const entry = require.resolve(name);
  const root = entry.slice(0, entry.lastIndexOf(`${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`));
  return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}
const core = versionOf('@nestjs/core');
const typeorm = versionOf('typeorm');
if (!core.startsWith('12.') || !typeorm.startsWith('1.')) {
  throw new Error(`the Nest 12 leg runs on @nestjs/core ${core} and typeorm ${typeorm}: run npm install --prefix test/nest12`);
}
// Every package of the leg's set (GraphQL, WebSockets included) must come from test/nest12: a
// root copy (e.g. @nestjs/graphql 13, made for Nest 11) would mix the two majors in one app.
const LEG = `${path.sep}test${path.sep}nest12${path.sep}node_modules${path.sep}`;
for (const name of Object.keys(require('./package.json').dependencies)) {
  const entry = require.resolve(name);
  if (!entry.includes(LEG)) throw new Error(`the Nest 12 leg resolves ${name} outside test/nest12 (${entry}): run npm install --prefix test/nest12`);
}
