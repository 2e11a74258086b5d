// Child process of kernel-memory.test.ts: compiling and dropping many distinct
// cpu kernels reaches a plateau. After a warm-up (V8's heap sizing, malloc's
// free lists, the peak count of llvm-bindings wrappers awaiting finalisation),
// it measures the native memory in use (glibc's mallinfo2, after gc and
// malloc_trim; RSS also counts V8's heap sizing and fragmentation, too noisy
// to assert on) over the next kernels, in windows. Prints one JSON line.
//
// Why windows and their median: besides what each compile keeps, native memory
// in use grows once by ~1.2 MB, at a compile count that moves from run to run
// (traced: after 180-450 compiles); it comes with V8 growing its heap (heapTotal
// +17 MB, 64 more mappings at the same point), and the frontend alone shows it
// too (docs/backends/cpu.md). Inside a single measured window it read as 12-27 KB
// per kernel. What a compile keeps raises every window alike, a one-off step one
// window: the median of four windows is what each kernel keeps, step or not.
import koffi from 'koffi';
import { cuda } from '@numbat/core';
// From the package, as the kernels are compiled through it (dist/'s own file would be a second, unused copy).
import { codegenModulesCreated, liveJitKernels } from '@numbat/cpu';

const WARM = Number(process.argv[2] ?? 120), WINDOW = Number(process.argv[3] ?? 20), WINDOWS = 4;
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
const windows = [];
let before = await nativeInUse();
for (let w = 0; w < WINDOWS; w++) {
  for (const end = i + WINDOW; i < end; i++) await compileRunDrop(i);
  const after = await nativeInUse();
  windows.push(Math.round((after - before) / WINDOW));
  before = after;
}
const sorted = [...windows].sort((a, b) => a - b);
console.log(JSON.stringify({
  compiled: i,
  windows,
  nativeBytesPerKernel: Math.round((sorted[1] + sorted[2]) / 2),
  codegenModules: codegenModulesCreated(),
  liveJit: liveJitKernels(),
}));
