#!/usr/bin/env node
// `npm test`: the whole suite with a bounded worker count (2 cores), then the totals.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const jest = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const args = [jest, '--maxWorkers=2', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: process.env });
process.exit(result.status ?? 1);
