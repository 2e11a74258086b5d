// Runs core's f64 library (the legalised IR, nothing native) in the simulator.
import { legalize, simBackend } from '@numbat/core';

const tid = { kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a: { kind: 'binary', op: 'mul', opType: 'i32', type: 'i32', a: { kind: 'special', reg: 'blockIdx', dim: 0, type: 'i32' }, b: { kind: 'const', type: 'i32', value: 256 } }, b: { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' } };
const load = (p) => ({ kind: 'load', array: { space: 'global', param: p }, index: tid, type: 'f64' });

/** The legalised IR of `o[i] = Math.fn(a[i] (, b[i]))`. */
export function libraryIR(fn, arity, native = []) {
  const args = arity === 2 ? [load(0), load(1)] : [load(0)];
  const out = arity;
  const params = [...args.map((_, i) => ({ name: 'ab'[i], type: { kind: 'array', elem: 'f64' }, written: false, atomic: false })),
    { name: 'o', type: { kind: 'array', elem: 'f64' }, written: true, atomic: false }];
  const body = [{ kind: 'store', array: { space: 'global', param: out }, index: tid, value: { kind: 'math', fn, type: 'f64', args } }];
  return legalize({ name: `lib_${fn}`, params, locals: [], arrays: [], body, float: 'f64', hasBarrier: false, source: { firstLine: 1, text: '' } }, native);
}

/** Core's library form of Math.fn at each input, run in the simulator. */
export async function librarySim(fn, xs) {
  const ir = libraryIR(fn, xs.length);
  const n = Math.ceil(xs[0].length / 256) * 256;
  const arrays = [...xs.map((a) => { const h = new Float64Array(n); h.set(a); return h; }), new Float64Array(n)];
  const k = await simBackend.compile(ir, { float: 'f64', boundscheck: true, fastmath: false, cache: false, cacheKey: '' });
  await simBackend.launch(k, { grid: [n / 256, 1, 1], block: [256, 1, 1], sharedMem: 0 }, arrays.map((h) => ({ kind: 'array', elem: 'f64', length: h.length, host: h })));
  return arrays[arrays.length - 1].subarray(0, xs[0].length);
}
