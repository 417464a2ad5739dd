// Throw-away microbenchmark of branch floor (bench/RESULTS.md, "What changed for target 2 on Fastify"): the bearer line-break scan and the cache compare on a flat 1 KB header. Run: taskset -c 0 node bench/results/floor/line-break-scan.js
const tok = require('crypto').randomBytes(780).toString('base64url').replace(/(.{200})/g,'$1.').slice(0,1050);
const headers = []; for (let i=0;i<64;i++) headers.push(Buffer.from('Bearer '+tok+(i%1?'x':'')).toString('latin1')); // flat strings, like the parser's
function isOneLine(h){ return h.indexOf('\n') === -1 && h.indexOf('\r') === -1 && h.indexOf('\u2028') === -1 && h.indexOf('\u2029') === -1; }
function two(h){ return h.indexOf('\n') === -1 && h.indexOf('\r') === -1; }
const cmp = Buffer.from('Bearer '+tok).toString('latin1').slice(7);
const V = { none: h => h.length, isOneLine: h => isOneLine(h) ? 1 : 0, two: h => two(h)?1:0, sliceEq: h => h.slice(7) === cmp ? 1 : 0, sliceTail: h => h.slice(-42).length };
function run(fn,n){const t=process.cpuUsage();let s=0;for(let i=0;i<n;i++)s+=fn(headers[i&63]);const u=process.cpuUsage(t);return (u.user+u.system)*1000/n;}
const names=Object.keys(V),res={};for(const k of names){res[k]=[];run(V[k],1e5);}
for(let r=0;r<11;r++)for(let j=0;j<names.length;j++){const k=names[(j+r)%names.length];res[k].push(run(V[k],2e6));}
const med=a=>{a=[...a].sort((x,y)=>x-y);return a[a.length>>1];};
for(const k of names) console.log(k.padEnd(10), med(res[k]).toFixed(1),'ns', 'Δ', med(res[k].map((x,i)=>x-res.none[i])).toFixed(1));
