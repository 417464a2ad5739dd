// The compact-JWS shape check, natively: the regular expression the verifier uses against the
// table loop tried (and reverted, e64fc61) on 1,000 random 824-character tokens sliced from their
// header. `node bench/results/s21/shape-check.js`; ns per call, three rounds.
const crypto = require('node:crypto');

const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') CHARS[c.charCodeAt(0)] = 1;
CHARS['.'.charCodeAt(0)] = 2;
function loop(token) {
  let dots = 0;
  let segment = 0;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    const kind = code < 128 ? CHARS[code] : 0;
    if (kind === 1) segment++;
    else if (kind === 2 && segment > 0 && dots < 2) {
      dots++;
      segment = 0;
    } else return false;
  }
  return dots === 2 && segment > 0;
}

const header = () => 'Bearer ' + [60, 300, 256].map((n) => crypto.randomBytes(n).toString('base64url')).join('.');
const tokens = Array.from({ length: 1000 }, () => header().slice(7));
for (let round = 1; round <= 3; round++) {
  for (const [name, check] of [['regular expression', (t) => SHAPE.test(t)], ['table loop', loop]]) {
    let accepted = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200_000; i++) accepted += check(tokens[i % 1000]) ? 1 : 0;
    console.log(`round ${round}  ${name}: ${(Number(process.hrtime.bigint() - start) / 200_000).toFixed(0)} ns/call (${accepted} accepted)`);
  }
}
