// Cost of adding properties to requests made as Express makes them (bench/RESULTS.md, "Express requests").
// Run: node bench/results/s20/add-property.js   (CPU µs per request, including making it)
const http = require('http'); const net = require('net');
const proto = Object.create(http.IncomingMessage.prototype);
const SYM = Symbol('state');
function make() { const req = new http.IncomingMessage(new net.Socket()); const res = { locals: undefined }; req.res = res; Object.setPrototypeOf(req, proto); res.locals = Object.create(null); req.baseUrl = ''; req.originalUrl = '/x'; req.params = {}; return req; }
const variants = {
  none: (req) => 0,
  symbolAndSession: (req) => { req[SYM] = { session: 1 }; req.session = 1; return req[SYM]; },
  sessionOnly: (req) => { req.session = 1; return req.session; },
  localsAndSession: (req) => { req.res.locals[SYM] = { session: 1 }; req.session = 1; return req.res.locals[SYM]; },
};
const N = 50000;
for (const r of [1, 2, 3]) for (const [name, f] of Object.entries(variants)) {
  const t = process.cpuUsage(); for (let i = 0; i < N; i++) f(make()); const u = process.cpuUsage(t);
  console.log(r, name, ((u.user + u.system) / N).toFixed(2), 'us/req (incl. make)');
}
