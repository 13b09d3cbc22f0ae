// Harness for issue 23: the top functions of a .heapprofile (allocated bytes) or .cpuprofile (self time).
//   node bench/profile-top.mjs file [top]
import { readFileSync } from 'node:fs';

const [file, top = 40] = process.argv.slice(2);
const p = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const where = (cf) => `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
let total = 0;
if (p.head && !p.nodes) {
  // heap profile: a tree with selfSize per node
  const walk = (n) => {
    const k = where(n.callFrame);
    self.set(k, (self.get(k) ?? 0) + n.selfSize);
    total += n.selfSize;
    n.children.forEach(walk);
  };
  walk(p.head);
} else {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  for (const [i, id] of p.samples.entries()) dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  for (const [id, t] of dt) {
    const k = where(byId.get(id).callFrame);
    self.set(k, (self.get(k) ?? 0) + t);
    total += t;
  }
}
console.log(`total ${p.nodes ? `${(total / 1000).toFixed(0)} ms` : `${(total / 1e6).toFixed(1)} MB`}`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
  console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);

// Inclusive figures (a function counted once per stack), when INCLUSIVE=1.
if (process.env.INCLUSIVE === '1' && p.head) {
  const inc = new Map();
  const walk = (n, seen) => {
    const k = where(n.callFrame);
    const added = !seen.has(k);
    if (added) seen.add(k);
    let sub = n.selfSize;
    for (const c of n.children) sub += walk(c, seen);
    if (added) {
      inc.set(k, (inc.get(k) ?? 0) + sub);
      seen.delete(k);
    }
    return sub;
  };
  walk(p.head, new Set());
  console.log('\ninclusive:');
  for (const [k, v] of [...inc].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
    console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

// Who allocates through a function (CALLERS=regex): the stacks leading to it, heaviest first.
if (process.env.CALLERS && p.head) {
  const re = new RegExp(process.env.CALLERS);
  const stacks = new Map();
  const walk = (n, path) => {
    const k = where(n.callFrame);
    const here = [...path, k];
    let sub = n.selfSize;
    for (const c of n.children) sub += walk(c, re.test(k) ? [] : here).sub;
    if (re.test(k)) {
      const key = here.slice(-8).join('  <  '.replace(/</, '>'));
      stacks.set(key, (stacks.get(key) ?? 0) + sub);
      return { sub: 0 };
    }
    return { sub };
  };
  walk(p.head, []);
  console.log(`\nstacks into /${process.env.CALLERS}/:`);
  for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}
