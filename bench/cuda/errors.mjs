// Runtime errors on a real GPU: out-of-bounds accesses and a thread leaving
// before a barrier become LaunchErrors with the simulator's wording, the
// process and the CUDA context survive, and the next launch is clean.
//   node bench/cuda/errors.mjs [out.json]
import { writeFileSync } from 'node:fs';
import { cuda, f32 } from '@numbat/core';
import { stream } from '@numbat/cuda';

export const KERNELS = {
  oob: cuda.jit(function oob(a) {
    const i = cuda.grid(1);
    a[i + 1] = 1;
  }, { target: 'cuda', cache: true }),
  neg: cuda.jit(function neg(a, out) { out[0] = a[cuda.threadIdx.x - 1]; }, { target: 'cuda', cache: true }),
  exitEarly: cuda.jit(function exitEarly(a) {
    const s = cuda.shared.array(32, f32);
    const t = cuda.threadIdx.x;
    if (t >= 16) return;
    s[t] = t;
    cuda.syncthreads();
    a[t] = s[15 - t];
  }, { target: 'cuda', cache: true }),
  twice: cuda.jit(function twice(a) { a[cuda.threadIdx.x * 2] = 1; }, { target: 'cuda', cache: true }),
  /** 200 KB of dynamic shared memory: above 48 KB, so it needs the opt-in attribute. */
  // (The length is a parameter: core folds `.length` of a dynamic shared array to 0.)
  bigShared: cuda.jit(function bigShared(a, out, len) {
    const s = cuda.shared.array(0, f32);
    const t = cuda.threadIdx.x;
    const n = cuda.blockDim.x;
    for (let k = t; k < len; k += n) s[k] = k;
    cuda.syncthreads();
    let acc = 0;
    for (let k = t; k < len; k += n) acc += s[len - 1 - k] - s[k];
    out[t] = acc + a[0];
  }, { target: 'cuda', cache: true }),
};
export const SAMPLE = {
  oob: () => [new Float32Array(8)],
  neg: () => [new Float32Array(2), new Float32Array(1)],
  exitEarly: () => [new Float32Array(32)],
  twice: () => [new Int32Array(4)],
  bigShared: () => [new Float32Array(1), new Float32Array(256), 51200],
};

async function expectError(name, fn, pattern) {
  const t = performance.now();
  try {
    await fn();
    return { name, ok: false, got: 'no error' };
  } catch (e) {
    const ok = e?.name === 'LaunchError' && pattern.test(e.message);
    return { name, ok, got: `${e?.name}: ${e?.message}`, ms: +(performance.now() - t).toFixed(2) };
  }
}

if (process.argv[1] && import.meta.url.endsWith(`/${process.argv[1].split('/').pop()}`)) {
  const r = [];
  r.push(await expectError('out-of-bounds store', () => KERNELS.oob.configure(1, 8)(new Float32Array(8)),
    /^kernel 'oob': index 8 out of bounds for array 'a' of length 8 \(line \d+\), thread \(7, 0, 0\) of block \(0, 0, 0\)$/));
  r.push(await expectError('negative index', () => KERNELS.neg.configure(1, 1)(new Float32Array(2), new Float32Array(1)),
    /index -1 out of bounds for array 'a'/));
  r.push(await expectError('exit before a barrier', () => KERNELS.exitEarly.configure(1, 32)(new Float32Array(32)),
    /exited while thread .* waits at cuda\.syncthreads\(\)/));
  for (let i = 0; i < 3; i++) r.push(await expectError(`repeat ${i + 1}`, () => KERNELS.twice.configure(1, 4)(new Int32Array(4)), /out of bounds/));
  try {
    const ok = new Int32Array(8);
    await KERNELS.twice.configure(1, 4)(ok);
    r.push({ name: 'clean launch after errors', ok: ok.join(',') === '1,0,1,0,1,0,1,0', got: ok.join(',') });
    // On a stream: asynchronous, reported at synchronize().
    const s = stream();
    const buf = cuda.deviceArray(8, f32, { target: 'cuda' });
    await KERNELS.oob.configure(1, 8, { stream: s })(buf);
    r.push(await expectError('stream: error at synchronize()', () => s.synchronize(), /index 8 out of bounds for array 'a'/));
  } catch (e) {
    r.push({ name: 'clean launch / stream', ok: false, got: `${e?.name}: ${e?.message}` });
  }
  try {
    // cuFuncSetAttribute raises the kernel's limit; the result is checked against the simulator.
    const bytes = 200 * 1024, got = SAMPLE.bigShared(), want = SAMPLE.bigShared();
    await KERNELS.bigShared.configure(1, 256, { sharedMem: bytes })(...got);
    await cuda.jit(KERNELS.bigShared.fn, { target: 'sim' }).configure(1, 256, { sharedMem: bytes })(...want);
    r.push({ name: '200 KB dynamic shared memory', ok: got[1].join() === want[1].join(), got: `${got[1].slice(0, 4).join(',')} vs sim ${want[1].slice(0, 4).join(',')}` });
  } catch (e) {
    r.push({ name: '200 KB dynamic shared memory', ok: false, got: `${e?.name}: ${e?.message}` });
  }
  r.push(await expectError('shared memory over the device limit', () => KERNELS.bigShared.configure(1, 256, { sharedMem: 240 * 1024 })(...SAMPLE.bigShared()),
    /shared memory per block .* exceed the \d+ bytes .* allows/));
  for (const x of r) console.log(`${x.ok ? 'ok  ' : 'FAIL'} ${x.name}: ${x.got}`);
  const pass = r.filter((x) => x.ok).length;
  console.log(`cuda runtime errors: ${pass}/${r.length} as expected`);
  if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify({ pass, total: r.length, results: r }, null, 2));
  process.exit(pass === r.length ? 0 : 1);
}
