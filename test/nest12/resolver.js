// Jest resolver for the Nest 12 leg: the packages of test/nest12/package.json (Nest 12,
// @nestjs/typeorm 12, TypeORM 1, @nestjs/graphql 14 with apollo/mercurius and the one `graphql`
// they share with src/, @nestjs/websockets 12 and its adapters) resolve from test/nest12/node_modules, whoever
// asks (src/, the tests, or a root package such as @nestjs/passport); everything else resolves
// as usual. Files inside test/nest12/node_modules resolve their own dependencies from there.
'use strict';
const path = require('node:path');

const NEST12 = __dirname;
const PACKAGES = Object.keys(require('./package.json').dependencies);
const isNest12Package = (request) => PACKAGES.some((name) => request === name || request.startsWith(`${name}/`));

module.exports = (request, options) => {
  if (isNest12Package(request)) {
    return options.defaultResolver(request, { ...options, basedir: NEST12, paths: [path.join(NEST12, 'node_modules')] });
  }
  return options.defaultResolver(request, options);
};
