// Harness for issue 23 (never loaded by the product): preloaded with
// `--import ./bench/alloc-profile.mjs`, it samples every allocation (including objects
// that GC later collected) and writes ALLOC_PROFILE (a .heapprofile) when stdin closes.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const s = new Session();
s.connect();
s.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: process.env.ALLOC_MINOR !== '0',
});
const dump = () =>
  s.post('HeapProfiler.stopSampling', (err, r) => {
    if (!err) writeFileSync(process.env.ALLOC_PROFILE ?? 'alloc.heapprofile', JSON.stringify(r.profile));
  });
process.stdin.once('end', dump);
