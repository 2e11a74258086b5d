// Child process of runtime-safety.test.ts: compiled kernels that are dropped
// give their JIT'd code back. Prints one JSON line.
import { cuda } from '@numbat/core';
import { liveJitKernels } from '@numbat/cpu';

const N = Number(process.argv[2] ?? 12);
async function compileAndDrop(i) {
  const k = cuda.jit(function memk(a) { const t = cuda.grid(1); if (t < a.length) a[t] = t * K; }, { target: 'cpu', globals: { K: i + 1 } });
  const a = new Float32Array(64);
  await k.configure(1, 64)(a);
  if (a[3] !== 3 * (i + 1)) throw new Error('wrong result');
}
for (let i = 0; i < N; i++) await compileAndDrop(i);
const compiled = liveJitKernels();
for (let i = 0; i < 6; i++) { global.gc(); await new Promise((r) => setTimeout(r, 20)); }
console.log(JSON.stringify({ compiled, live: liveJitKernels() }));
