const http = require('http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const tok = 'Bearer ' + 'x'.repeat(1000);
const n = Number(process.argv[3]);
let i = 0;
function one() { return new Promise((ok) => { const r = http.request({ host: '127.0.0.1', port: Number(process.argv[2]), path: '/hello', agent, headers: { authorization: tok, 'user-agent': 'bench', accept: '*/*' } }, (res) => { res.resume(); res.on('end', ok); }); r.end(); }); }
(async () => { for (; i < n; i++) await one(); agent.destroy(); })();
