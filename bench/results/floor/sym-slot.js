// Throw-away microbenchmark of branch floor (bench/RESULTS.md): request-state slot as a symbol property vs a WeakMap entry, with and without req.session. Run: taskset -c 0 node bench/results/floor/sym-slot.js
// symbol slot vs WeakMap slot on a Fastify-like request object (constructor-made, 10 fields)
class Req { constructor(i){ this.id='req-'+i; this.params={}; this.raw={headers:{}}; this.query={}; this.log=null; this.body=undefined; this.context=null; this.routeOptions=null; this[Symbol.for('x')]=1; this.ip='1'; } }
const SYM = Symbol('state'); const WM = new WeakMap(); const sess = {a:1};
function framework(r){ return r.id.length + (r.raw ? 1 : 0) + (r.body === undefined ? 1 : 0); }
const variants = {
  none: (r) => 0,
  sym: (r) => { r[SYM] = { session: sess, verifiedFor: framework }; r.session = sess; return r[SYM].session === sess ? 1 : 0; },
  wm: (r) => { WM.set(r, { session: sess, verifiedFor: framework }); r.session = sess; return WM.get(r).session === sess ? 1 : 0; },
  symOnly: (r) => { r[SYM] = { session: sess, verifiedFor: framework }; return r[SYM].session === sess ? 1:0; },
  wmOnly: (r) => { WM.set(r, { session: sess, verifiedFor: framework }); return WM.get(r).session === sess ?1:0; },
};
const keep = [];
function run(fn, n){ const t=process.cpuUsage(); let s=0; for(let i=0;i<n;i++){ const r=new Req(i); s+=fn(r)+framework(r); if((i&1023)===0) keep.push(r); if(keep.length>200) keep.length=0; } const u=process.cpuUsage(t); return (u.user+u.system)*1000/n; }
const names=Object.keys(variants); const res={}; for(const k of names){res[k]=[]; run(variants[k],2e5);}
for(let round=0;round<15;round++) for(let j=0;j<names.length;j++){const k=names[(j+round)%names.length]; res[k].push(run(variants[k],1e6));}
const med=a=>{a=[...a].sort((x,y)=>x-y);return a[a.length>>1];};
for(const k of names) console.log(k.padEnd(8), med(res[k]).toFixed(1),'ns/req', ' Δnone', med(res[k].map((x,i)=>x-res.none[i])).toFixed(1));
