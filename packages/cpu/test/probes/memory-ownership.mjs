// Child process of runtime-safety.test.ts: a host array whose buffer is
// transferred away (and its new owner collected) or shrunk while a
// multi-threaded launch runs. Before launches owned their memory this died
// with SIGSEGV. Prints one JSON line.
import { cuda } from '@numbat/core';

const N = 1 << 20;
const k = cuda.jit(function spinBrief(a, n) {
  const i = cuda.grid(1);
  if (i < a.length) {
    let s = 0;
    for (let j = 0; j < n; j++) s += j % 7;
    a[i] = s + i;
  }
}, { target: 'cpu' });
// The launches that must still run when their buffer goes: per-thread work (a
// trip count that differs by thread), which lane groups cannot share between
// threads the way they share a uniform loop, so they last whatever the speed-ups.
const long = cuda.jit(function spin(a, n) {
  const i = cuda.grid(1);
  if (i < a.length) {
    let s = 0;
    for (let j = 0; j < n + (i & 7); j++) s += (j ^ i) % 7;
    a[i] = s;
  }
}, { target: 'cpu' });
await k.configure(1, 1)(new Float32Array(1), 1); // compile first
await long.configure(1, 1)(new Float32Array(1), 1);
const settle = (p) => p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const out = {};

{ // transferred away while running; the new owner is collected
  const a = new Float32Array(N);
  const p = long.configure(N / 256, 256)(a, 3000);
  await pause(20);
  let moved = structuredClone(a.buffer, { transfer: [a.buffer] });
  moved = null;
  for (let i = 0; i < 3; i++) global.gc();
  out.transferred = await settle(p);
}
{ // a resizable buffer shrunk to nothing while running
  const buf = new ArrayBuffer(N * 4, { maxByteLength: N * 8 });
  const a = new Float32Array(buf);
  const p = long.configure(N / 256, 256)(a, 3000);
  await pause(20);
  buf.resize(0);
  global.gc();
  out.shrunk = await settle(p);
}
{ // the user's array is written back when it is left alone (read-write, and read after)
  const buf = new ArrayBuffer(N * 4, { maxByteLength: N * 8 });
  const a = new Float32Array(buf);
  await k.configure(N / 256, 256)(a, 10);
  const s = 0 + 1 + 2 + 3 + 4 + 5 + 6 + 0 + 1 + 2;
  out.written = a[0] === s && a[N - 1] === s + N - 1;
}
console.log(JSON.stringify(out));
