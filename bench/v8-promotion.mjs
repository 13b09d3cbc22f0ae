// A harness for issue 23 (not part of `npm run bench`): which object shapes V8 keeps
// through young-generation GCs although nothing holds them. Each mode makes 200,000
// short-lived objects that reach ~2 KB of garbage each, and prints what the scavenges
// promoted to the old generation (where it stays until a full GC, and RSS grows):
//
//   node bench/v8-promotion.mjs            all modes, on this Node
//   node bench/v8-promotion.mjs spread-then-property
//
// Found 2026-12-07: `getter-literal` and `define-getter` promote everything the getter's
// closure reaches, on Node 20, 22 and 24 (zod's failed safeParse result is such a
// literal); `spread-then-property` (`{ ...a, b }`, as the SDK built each request's
// context) promotes on Node 20 only; `property-then-spread` and a plain literal never do.
import { spawnSync } from 'node:child_process';

const MODES = {
  plain: (big) => ({ ok: false, big }),
  'getter-literal': (big) => ({
    ok: false,
    get big() {
      return big;
    },
  }),
  'define-getter': (big) => Object.defineProperty({ ok: false }, 'big', { get: () => big, enumerable: true }),
  'class-getter': (big) => new Holder(big),
  'spread-then-property': (big) => ({ ...{ id: 1, big }, ok: false }),
  'property-then-spread': (big) => ({ ok: false, ...{ id: 1, big } }),
};
class Holder {
  constructor(big) {
    this._big = big;
  }
  get big() {
    return this._big;
  }
}

const [mode] = process.argv.slice(2);
if (process.env.V8_PROMOTION_CHILD === '1') {
  let sink;
  for (let i = 0; i < 200_000; i++) sink = MODES[mode]({ items: Array.from({ length: 100 }, (_, j) => ({ j })) });
  if (sink === undefined) process.exit(1);
} else {
  for (const m of mode ? [mode] : Object.keys(MODES)) {
    const r = spawnSync(process.execPath, ['--trace-gc-nvp', process.argv[1], m], {
      env: { ...process.env, V8_PROMOTION_CHILD: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    let promoted = 0;
    let scavenges = 0;
    for (const line of r.stdout.split('\n'))
      if (/ gc=s /.test(line)) {
        scavenges++;
        promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
      }
    console.log(
      `${process.version} ${m.padEnd(22)} ${scavenges} scavenges, ${(promoted / 1e6).toFixed(1)} MB promoted`,
    );
  }
}
