// A worker process of a parallel fuzz run (fuzz.mjs, `jobs` > 1): checks the seeds the
// parent sends, one at a time, and sends back each kernel's record.
import { checkSeed } from './fuzz.mjs';
import { holdDevices } from './run.mjs';

let release;
process.on('message', async (m) => {
  if (m.stop) {
    release?.();
    process.exit(0);
  }
  release ??= await holdDevices(m.opts.targets);
  process.send(await checkSeed(m.seed, m.opts));
});
// The parent is gone (killed): nothing will read our results.
process.on('disconnect', () => process.exit(0));
