// Harness for issue 23 (never loaded by the product): preloaded with
// `--import ./bench/cpu-profile.mjs`, it starts the inspector's CPU profiler CPU_AFTER ms
// after start (2,000 by default, so that start-up is left out), samples every 100 µs,
// and writes CPU_OUT (a .cpuprofile; `bench/profile-top.mjs` reads it) when stdin closes.
// --cpu-prof, by contrast, profiles the whole process, start-up included.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const s = new Session();
s.connect();
s.post('Profiler.enable', () => s.post('Profiler.setSamplingInterval', { interval: 100 }));
setTimeout(() => s.post('Profiler.start'), Number(process.env.CPU_AFTER ?? 2000)).unref();
process.stdin.once('end', () =>
  s.post('Profiler.stop', (err, r) => {
    if (!err) writeFileSync(process.env.CPU_OUT ?? 'cpu.cpuprofile', JSON.stringify(r.profile));
  }),
);
