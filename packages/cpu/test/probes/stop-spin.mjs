// Child process of stop-poll.test.ts: kernels whose threads never end are
// stopped by their timeout (the stoppable variant polls at loop back-edges),
// their worker threads come back, later launches run, and the script ends
// without process.exit(): the process must exit by itself.
import { cuda } from '@numbat/core';

const settle = (p) => p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
const out = {};

// Ordinary launches, checked after each stopped one: async (>= 4096 threads) and synchronous.
const twice = cuda.jit(function twice(a) {
  const i = cuda.grid(1);
  if (i < a.length) a[i] = 2 * i;
}, { target: 'cpu' });
const check = async () => {
  const big = new Int32Array(10000), small = new Int32Array(100);
  await twice.configure(Math.ceil(big.length / 64), 64)(big);
  await twice.configure(2, 64)(small);
  return big.every((v, i) => v === 2 * i) && small.every((v, i) => v === 2 * i);
};

const flag = new Int32Array(64); // all 0: the loops below never end

// One thread in a loop (the per-thread lowering).
const spin = cuda.jit(function spin(flag, o) {
  while (flag[0] === 0) o[0] = o[0] + 1;
}, { target: 'cpu' });
out.scalar = await settle(spin.configure(1, 1, { timeout: 200 })(flag, new Int32Array(1)));
out.afterScalar = await check();

// A lane-linear loop whose step is 0 (lockstep lane groups, unmasked fast loop), 4096 threads.
const stride = cuda.jit(function stride(step, o) {
  let i = cuda.grid(1);
  while (i < o.length) {
    o[i] = o[i] + 1;
    i += step[0];
  }
}, { target: 'cpu' });
out.lanes = await settle(stride.configure(64, 64, { timeout: 200 })(flag, new Int32Array(4096)));
out.afterLanes = await check();

// A thread-dependent loop with a break (masked lane groups).
const masked = cuda.jit(function masked(flag, o) {
  const i = cuda.grid(1);
  while (flag[i] === 0) {
    if (o[i] === -5) break;
    o[i] = o[i] + 1;
  }
}, { target: 'cpu' });
out.masked = await settle(masked.configure(1, 64, { timeout: 200 })(flag, new Int32Array(64)));
out.afterMasked = await check();

// A block-level loop around barriers.
const barrier = cuda.jit(function barrier(flag, o) {
  const sh = cuda.shared.array(64, 'i32');
  const t = cuda.threadIdx.x;
  while (flag[0] === 0) {
    sh[t] = t;
    cuda.syncthreads();
    o[t] = sh[63 - t];
    cuda.syncthreads();
  }
}, { target: 'cpu' });
out.barrier = await settle(barrier.configure(1, 64, { timeout: 200 })(flag, new Int32Array(64)));
out.afterBarrier = await check();

// A signal aborted by the user, on a kernel whose stoppable variant is already loaded.
const ctl = new AbortController();
const stopped = settle(spin.configure(1, 1, { signal: ctl.signal })(flag, new Int32Array(1)));
setTimeout(() => ctl.abort(new Error('enough')), 50);
out.signal = await stopped;
out.afterSignal = await check();

// The same kernels still finish when their loops end (the stoppable variant computes the same).
const o = new Int32Array(64);
await stride.configure(1, 64, { timeout: 60_000 })(new Int32Array([64]), o);
out.finished = o.every((v) => v === 1);

console.log(JSON.stringify(out));
// no process.exit(): nothing may keep the process alive
