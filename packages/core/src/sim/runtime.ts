// The simulator's launch loop: blocks one after another; inside a block, every
// thread is a coroutine resumed in threadIdx order until it reaches a barrier
// or exits. A block proceeds past a barrier only when every thread waits at
// that same barrier; anything else is reported, never left hanging.

import { launchErrors } from '../errors.js';
import type { KernelIR } from '../ir/nodes.js';
import type { LaunchDims } from '../backend.js';
import { TYPED_ARRAY_OF, type TypedArray } from '../types.js';
import type { SimSource } from './codegen.js';

type ThreadFn = (shared: TypedArray[], tx: number, ty: number, tz: number, bx: number, by: number, bz: number) => Generator<number, void> | void;

export function runSim(ir: KernelIR, src: SimSource, factory: Function, dims: LaunchDims, scalars: unknown[], arrays: (TypedArray | undefined)[]): void {
  const [gx, gy, gz] = dims.grid;
  const [bx, by, bz] = dims.block;
  const cur = { t: [0, 0, 0], b: [0, 0, 0] };
  const rt = runtimeHelpers(ir, src, cur);
  const consts = ir.arrays.map((a) => (a.space === 'const' ? (new TYPED_ARRAY_OF[a.elem](a.values!.length) as Float64Array).map((_, i) => a.values![i]) : undefined));
  const thread = factory(scalars, arrays, consts, [bx, by, bz, gx, gy, gz], rt) as ThreadFn;
  const sharedDecls = ir.arrays.filter((a) => a.space === 'shared');
  const shared = sharedDecls.map((a) => {
    const n = a.size > 0 ? a.size : Math.floor(dims.sharedMem / TYPED_ARRAY_OF[a.elem].BYTES_PER_ELEMENT);
    return new TYPED_ARRAY_OF[a.elem](n);
  });
  const nthreads = bx * by * bz;
  for (let kz = 0; kz < gz; kz++) for (let ky = 0; ky < gy; ky++) for (let kx = 0; kx < gx; kx++) {
    for (const s of shared) (s as Float64Array).fill(is64(s) ? 0n as never : 0);
    cur.b = [kx, ky, kz];
    if (!ir.hasBarrier) {
      for (let tz = 0; tz < bz; tz++) for (let ty = 0; ty < by; ty++) for (let tx = 0; tx < bx; tx++) {
        cur.t[0] = tx; cur.t[1] = ty; cur.t[2] = tz;
        thread(shared, tx, ty, tz, kx, ky, kz);
      }
      continue;
    }
    const gens: Generator<number, void>[] = [];
    for (let tz = 0; tz < bz; tz++) for (let ty = 0; ty < by; ty++) for (let tx = 0; tx < bx; tx++) {
      gens.push(thread(shared, tx, ty, tz, kx, ky, kz) as Generator<number, void>);
    }
    const exited = new Uint8Array(nthreads);
    let live = nthreads;
    const at = new Int32Array(nthreads);
    while (live > 0) {
      let waiting = -1, firstWaiter = -1;
      for (let t = 0; t < nthreads; t++) {
        if (exited[t]) continue;
        cur.t = [t % bx, Math.floor(t / bx) % by, Math.floor(t / (bx * by))];
        const r = gens[t].next();
        if (r.done) { exited[t] = 1; live--; continue; }
        at[t] = r.value as number;
        if (waiting < 0) { waiting = at[t]; firstWaiter = t; }
        else if (at[t] !== waiting) divergence(ir, src, cur.b, [firstWaiter, waiting], [t, at[t]], bx, by);
      }
      if (live > 0 && live < nthreads) {
        const gone = exited.indexOf(1);
        throw launchErrors.barrierExit(ir.name, { block: cur.b, exited: coords(gone, bx, by), waiting: coords(firstWaiter, bx, by), line: src.barrierLines[waiting] });
      }
    }
  }
}

function coords(t: number, bx: number, by: number): number[] {
  return [t % bx, Math.floor(t / bx) % by, Math.floor(t / (bx * by))];
}

function divergence(ir: KernelIR, src: SimSource, block: number[], a: [number, number], b: [number, number], bx: number, by: number): never {
  throw launchErrors.barrierMismatch(ir.name, { block, a: coords(a[0], bx, by), lineA: src.barrierLines[a[1]], b: coords(b[0], bx, by), lineB: src.barrierLines[b[1]] });
}

type Num = { [i: number]: any };
const is64 = (a: TypedArray) => a instanceof BigInt64Array || a instanceof BigUint64Array;

function runtimeHelpers(ir: KernelIR, src: SimSource, cur: { t: number[]; b: number[] }) {
  const Typed = Object.fromEntries(Object.entries(TYPED_ARRAY_OF).map(([k, v]) => [k, v]));
  return {
    Typed,
    ix(i: number, len: number, site: number, name: string): number {
      if (i >= 0 && i < len) return i;
      throw launchErrors.outOfBounds(ir.name, { array: name, index: i, length: len, line: src.siteLines[site], thread: [...cur.t], block: [...cur.b] });
    },
    // Number and BigInt arrays alike (a BigInt64Array store wraps to 64 bits, as the IR's i64 does).
    atomic_add: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = o + v; return o; },
    atomic_sub: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = o - v; return o; },
    atomic_max: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = typeof o === 'bigint' ? (o > v ? o : v) : Math.max(o, v); return o; },
    atomic_min: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = typeof o === 'bigint' ? (o < v ? o : v) : Math.min(o, v); return o; },
    atomic_and: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = o & v; return o; },
    atomic_or: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = o | v; return o; },
    atomic_xor: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = o ^ v; return o; },
    atomic_exch: (a: Num, i: number, v: any) => { const o = a[i]; a[i] = v; return o; },
    atomic_cas: (a: Num, i: number, exp: any, v: any) => { const o = a[i]; if (o === exp) a[i] = v; return o; },
  };
}
