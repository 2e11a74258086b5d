// Child process of runtime-safety.test.ts: ways out of kernels that run too
// long or never end. Prints one JSON line, then leaves with process.exit(0)
// while a kernel launched without a signal still spins (which used to hang
// the process). stop-spin.mjs checks that stopped kernels free their threads.
import { readFile } from 'node:fs/promises';
import { cuda } from '@numbat/core';

const settle = (p) => p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
const out = {};

// A long grid of short blocks: aborting stops it at the next block, and the next launch runs.
const blocks = cuda.jit(function work(a, n) {
  const i = cuda.threadIdx.x;
  let s = 0;
  for (let j = 0; j < n; j++) s += j % 3;
  a[i] = s;
}, { target: 'cpu' });
const a = new Int32Array(64);
await blocks.configure(1, 64)(a, 1);
const ctl = new AbortController();
const long = blocks.configure(1 << 30, 64, { signal: ctl.signal })(a, 200);
setTimeout(() => ctl.abort(new Error('enough')), 50);
out.aborted = await settle(long);
await blocks.configure(2, 64)(a, 4);
out.after = Array.from(a.slice(0, 2)).join(',');

// Already aborted: refused before it starts.
out.preAborted = await settle(blocks.configure(1, 64, { signal: AbortSignal.abort() })(a, 1));

// A kernel that never ends, in a small launch (which used to run on the event loop).
const spin = cuda.jit(function spin(flag, o) {
  while (flag[0] === 0) o[0] = o[0] + 1;
}, { target: 'cpu' });
const flag = new Int32Array(1), o = new Int32Array(1);
out.hung1 = await settle(spin.configure(1, 1, { timeout: 100 })(flag, o));
// The first one's thread came back: a second one runs (and is stopped) too.
out.hung2 = await settle(spin.configure(1, 1, { timeout: 100 })(flag, o));
// Without a signal nothing stops it: it spins on every worker until the process exits.
spin.configure(64, 64)(flag, o).catch(() => {});
// libuv's pool still serves the file system.
out.fs = (await readFile(new URL(import.meta.url))).length > 0;
await new Promise((r) => setTimeout(r, 50)); // the spinning launch is surely on its threads
console.log(JSON.stringify(out));
process.on('exit', () => console.log('exit listener ran')); // registered after numbat's: still runs
process.exit(0);
