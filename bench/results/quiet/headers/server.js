const http = require('http');
const mode = process.argv[2];
let sink = 0;
http.createServer((req, res) => {
  if (mode === 'headers') sink += req.headers.authorization.length;
  else if (mode === 'raw') { const r = req.rawHeaders; for (let i = 0; i < r.length; i += 2) if (r[i].length === 13 && r[i].toLowerCase() === 'authorization') { sink += r[i + 1].length; break; } }
  res.setHeader('content-type', 'application/json'); res.end('{"hello":"world"}');
}).listen(Number(process.argv[3]), '127.0.0.1', () => console.log('up'));
