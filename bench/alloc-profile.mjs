// Harness for issue 23 (never loaded by the product): preloaded with
// `--import ./bench/alloc-profile.mjs`, it samples every allocation (including objects
// that GC later collected) and writes ALLOC_PROFILE (a .heapprofile) when stdin closes.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const s = new Session();
s.connect();
// ALLOC_AFTER=ms starts sampling that late, to leave start-up's allocations out.
const start = () =>
  s.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env.ALLOC_MINOR !== '0',
  });
if (process.env.ALLOC_AFTER) setTimeout(start, Number(process.env.ALLOC_AFTER)).unref();
else start();
const dump = () =>
  s.post('HeapProfiler.stopSampling', (err, r) => {
    if (!err) writeFileSync(process.env.ALLOC_PROFILE ?? 'alloc.heapprofile', JSON.stringify(r.profile));
  });
process.stdin.once('end', dump);
