// Express gives every request a hidden class of its own (bench/RESULTS.md, "Express requests").
// Run from the project root: node --allow-natives-syntax bench/results/s20/express-maps.js
// Prints the map of one request at the first middleware, after a symbol property and after req.session: every line differs.
const express = require('express');
const http = require('http');
const app = express();
const SYM = Symbol('s');
app.use((req, res, next) => { %DebugPrint(req); req[SYM] = {}; %DebugPrint(req); req.session = 1; %DebugPrint(req); next(); });
app.get('/x', (req, res) => res.json({}));
const server = app.listen(0, async () => {
  const port = server.address().port;
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i < 4; i++) await new Promise((r) => http.get({ host: '127.0.0.1', port, path: '/x', agent }, (res) => { res.resume(); res.on('end', r); }));
  server.close(); agent.destroy();
});
