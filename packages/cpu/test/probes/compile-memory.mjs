// Child process of kernel-memory.test.ts: compiling and dropping many distinct
// cpu kernels reaches a plateau. After a warm-up (V8's heap sizing, malloc's
// free lists, the peak count of llvm-bindings wrappers awaiting finalisation),
// it measures the native memory in use (glibc's mallinfo2, after gc and
// malloc_trim; RSS also counts V8's heap sizing and fragmentation, too noisy
// to assert on) over the next kernels. Prints one JSON line.
import koffi from 'koffi';
import { cuda } from '@numbat/core';
import { liveJitKernels } from '@numbat/cpu';
import { codegenModulesCreated } from '../../dist/codegen/module-memory.js';

const WARM = Number(process.argv[2] ?? 120), MEASURED = Number(process.argv[3] ?? 60);
const libc = koffi.load('libc.so.6');
const mallinfo2 = libc.func('mallinfo2', koffi.struct('mallinfo2_t', {
  arena: 'size_t', ordblks: 'size_t', smblks: 'size_t', hblks: 'size_t', hblkhd: 'size_t',
  usmblks: 'size_t', fsmblks: 'size_t', uordblks: 'size_t', fordblks: 'size_t', keepcost: 'size_t',
}), []);
const mallocTrim = libc.func('int malloc_trim(size_t)');

async function nativeInUse() {
  for (let i = 0; i < 4; i++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
  mallocTrim(0);
  const m = mallinfo2();
  return Number(m.uordblks) + Number(m.hblkhd);
}

const x = new Float32Array(256).fill(1);
async function compileRunDrop(i) {
  // distinct kernels: K changes the code; a loop, math, shared memory, barriers, a constant array
  const k = cuda.jit(function memk(x, out) {
    const sh = cuda.shared.array(64, 'f32');
    const t = cuda.threadIdx.x;
    let acc = 0;
    for (let j = t; j < x.length; j += 64) acc += Math.sqrt(x[j] * K) + Math.sin(x[j]) * W[j % 3];
    sh[t] = acc;
    cuda.syncthreads();
    for (let s = 32; s > 0; s >>= 1) { if (t < s) sh[t] += sh[t + s]; cuda.syncthreads(); }
    if (t === 0) out[0] = sh[0] + K;
  }, { target: 'cpu', globals: { K: i + 1, W: [1, 2, 3] } });
  const out = new Float32Array(1);
  await k.configure(1, 64)(x, out);
  const want = 256 * Math.sqrt(i + 1) + 511 * Math.sin(1) + i + 1; // W[j % 3] sums to 511 over j < 256
  if (Math.abs(out[0] - want) > 1e-3 * want) throw new Error(`kernel ${i}: ${out[0]} instead of ${want}`);
}

let i = 0;
for (; i < WARM; i++) await compileRunDrop(i);
const before = await nativeInUse();
for (; i < WARM + MEASURED; i++) await compileRunDrop(i);
const after = await nativeInUse();
console.log(JSON.stringify({
  compiled: i,
  nativeBytesPerKernel: Math.round((after - before) / MEASURED),
  codegenModules: codegenModulesCreated(),
  liveJit: liveJitKernels(),
}));
