// Harness for issue 23: what two V8 heap snapshots hold, by constructor, and the difference.
//   node bench/heapdiff.mjs before.heapsnapshot after.heapsnapshot [top]
import { readFileSync } from 'node:fs';

function summarise(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
  const out = new Map();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType]];
    let name = s.strings[s.nodes[i + iName]];
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
      name = `(${type}) ${name.slice(0, 60).replace(/\n/g, ' ')}`;
    else name = `${type}:${name.slice(0, 80)}`;
    const e = out.get(name) ?? { n: 0, size: 0 };
    e.n++;
    e.size += s.nodes[i + iSize];
    total += s.nodes[i + iSize];
    out.set(name, e);
  }
  return { out, total };
}

const [a, b, top = 40] = process.argv.slice(2);
const A = summarise(a);
const B = summarise(b);
console.log(`total self size: ${(A.total / 1e6).toFixed(2)} MB → ${(B.total / 1e6).toFixed(2)} MB`);
const rows = [];
for (const [k, v] of B.out) {
  const w = A.out.get(k) ?? { n: 0, size: 0 };
  rows.push({ k, dn: v.n - w.n, ds: v.size - w.size, n: v.n });
}
for (const [k, w] of A.out) if (!B.out.has(k)) rows.push({ k, dn: -w.n, ds: -w.size, n: 0 });
rows.sort((x, y) => Math.abs(y.ds) - Math.abs(x.ds));
for (const r of rows.slice(0, Number(top)))
  console.log(`${String(r.ds).padStart(10)} B ${String(r.dn).padStart(7)} objs (now ${r.n})  ${r.k}`);
