// The simulator's launch loop: blocks one after another; inside a block, every
// thread is a coroutine resumed in threadIdx order until it reaches a barrier
// or exits. A block proceeds past a barrier only when every thread waits at
// that same barrier; anything else is reported, never left hanging.

import { launchErrors } from '../errors.js';
import type { KernelIR } from '../ir/nodes.js';
import type { LaunchDims } from '../backend.js';
import { TYPED_ARRAY_OF, type TypedArray } from '../types.js';
import type { SimSource } from './codegen.js';
import { ATOMIC_OPS, type AtomicOp } from '../ir/ops.js';
import { atomicNewJs } from '../ir/semantics.js';

type ThreadFn = (shared: TypedArray[], tx: number, ty: number, tz: number, bx: number, by: number, bz: number) => Generator<number, void> | void;

export function runSim(ir: KernelIR, src: SimSource, factory: Function, dims: LaunchDims, scalars: unknown[], arrays: (TypedArray | undefined)[]): void {
  const [gx, gy, gz] = dims.grid;
  const [bx, by, bz] = dims.block;
  const cur = { t: [0, 0, 0], b: [0, 0, 0] };
  const rt = runtimeHelpers(ir, src, cur);
  const consts = ir.arrays.map((a) => (a.space === 'const' ? new TYPED_ARRAY_OF[a.elem](a.values!.length).map((_, i) => a.values![i]) : undefined));
  const thread = factory(scalars, arrays, consts, [bx, by, bz, gx, gy, gz], rt) as ThreadFn;
  const sharedDecls = ir.arrays.filter((a) => a.space === 'shared');
  const shared = sharedDecls.map((a) => {
    const n = a.size > 0 ? a.size : Math.floor(dims.sharedMem / TYPED_ARRAY_OF[a.elem].BYTES_PER_ELEMENT);
    return new TYPED_ARRAY_OF[a.elem](n);
  });
  const nthreads = bx * by * bz;
  const fresh = (): TypedArray[] => shared.map((a) => new (a.constructor as new (n: number) => TypedArray)(a.length));
  const start = (kx: number, ky: number, kz: number, mem: TypedArray[]): BlockRun => {
    const gens: Generator<number, void>[] = [];
    for (let tz = 0; tz < bz; tz++) for (let ty = 0; ty < by; ty++) for (let tx = 0; tx < bx; tx++) {
      gens.push(thread(mem, tx, ty, tz, kx, ky, kz) as Generator<number, void>);
    }
    return { b: [kx, ky, kz], gens, exited: new Uint8Array(nthreads), live: nthreads, at: new Int32Array(nthreads) };
  };
  if (src.gridBarrier) {
    // Cooperative launch: every block is resident at once; a block runs until all
    // its threads wait at a grid barrier, and the grid passes it when every block has.
    const blocks: BlockRun[] = [];
    for (let kz = 0; kz < gz; kz++) for (let ky = 0; ky < gy; ky++) for (let kx = 0; kx < gx; kx++) blocks.push(start(kx, ky, kz, fresh()));
    for (;;) {
      const at = blocks.map((r) => stepBlock(r, cur, ir, src, bx, by));
      const waiting = at.findIndex((a) => a !== 'done');
      if (waiting < 0) return;
      const gone = at.indexOf('done');
      if (gone >= 0) throw launchErrors.gridBarrierExit(ir.name, { exited: blocks[gone].b, waiting: blocks[waiting].b, line: src.barrierLines[-1 - (at[waiting] as number)] });
      const other = at.findIndex((a) => a !== at[waiting]);
      if (other >= 0) {
        const line = (i: number): number => src.barrierLines[-1 - (at[i] as number)];
        throw launchErrors.barrierMismatch(ir.name, { block: blocks[waiting].b, a: [0, 0, 0], lineA: line(waiting), b: [0, 0, 0], lineB: line(other) });
      }
    }
  }
  for (let kz = 0; kz < gz; kz++) for (let ky = 0; ky < gy; ky++) for (let kx = 0; kx < gx; kx++) {
    for (const s of shared) s.fill(0);
    cur.b = [kx, ky, kz];
    if (!ir.hasBarrier) {
      for (let tz = 0; tz < bz; tz++) for (let ty = 0; ty < by; ty++) for (let tx = 0; tx < bx; tx++) {
        cur.t[0] = tx; cur.t[1] = ty; cur.t[2] = tz;
        thread(shared, tx, ty, tz, kx, ky, kz);
      }
      continue;
    }
    stepBlock(start(kx, ky, kz, shared), cur, ir, src, bx, by);
  }
}

interface BlockRun { b: number[]; gens: Generator<number, void>[]; exited: Uint8Array; live: number; at: Int32Array }

/**
 * Runs a block's threads, barrier after barrier, until all have returned
 * ('done') or all wait at one grid barrier (its negative id, see codegen).
 */
function stepBlock(r: BlockRun, cur: { t: number[]; b: number[] }, ir: KernelIR, src: SimSource, bx: number, by: number): 'done' | number {
  const nthreads = r.gens.length;
  cur.b = r.b;
  while (r.live > 0) {
    let waiting = 0, firstWaiter = -1;
    for (let t = 0; t < nthreads; t++) {
      if (r.exited[t]) continue;
      cur.t = [t % bx, Math.floor(t / bx) % by, Math.floor(t / (bx * by))];
      const res = r.gens[t].next();
      if (res.done) { r.exited[t] = 1; r.live--; continue; }
      r.at[t] = res.value as number;
      if (firstWaiter < 0) { waiting = r.at[t]; firstWaiter = t; }
      else if (r.at[t] !== waiting) divergence(ir, src, cur.b, [firstWaiter, barrierIndex(waiting)], [t, barrierIndex(r.at[t])], bx, by);
    }
    if (r.live > 0 && r.live < nthreads) {
      const gone = r.exited.indexOf(1);
      throw launchErrors.barrierExit(ir.name, { block: cur.b, exited: coords(gone, bx, by), waiting: coords(firstWaiter, bx, by), line: src.barrierLines[barrierIndex(waiting)] });
    }
    if (r.live > 0 && waiting < 0) return waiting;
  }
  return 'done';
}

const barrierIndex = (yielded: number): number => (yielded < 0 ? -1 - yielded : yielded);

function coords(t: number, bx: number, by: number): number[] {
  return [t % bx, Math.floor(t / bx) % by, Math.floor(t / (bx * by))];
}

function divergence(ir: KernelIR, src: SimSource, block: number[], a: [number, number], b: [number, number], bx: number, by: number): never {
  throw launchErrors.barrierMismatch(ir.name, { block, a: coords(a[0], bx, by), lineA: src.barrierLines[a[1]], b: coords(b[0], bx, by), lineB: src.barrierLines[b[1]] });
}

/** rt.atomic_<op>(array, index, value): the old element; the new one from ir/semantics.ts. */
const ATOMIC_HELPERS = Object.fromEntries(ATOMIC_OPS.filter((op) => op !== 'cas').map((op) =>
  [`atomic_${op}`, new Function('a', 'i', 'v', `const o = a[i]; a[i] = ${atomicNewJs(op as Exclude<AtomicOp, 'cas'>, 'o', 'v')}; return o;`)]));

function runtimeHelpers(ir: KernelIR, src: SimSource, cur: { t: number[]; b: number[] }) {
  const Typed = Object.fromEntries(Object.entries(TYPED_ARRAY_OF).map(([k, v]) => [k, v]));
  return {
    Typed,
    ix(i: number, len: number, site: number, name: string): number {
      if (i >= 0 && i < len) return i;
      throw launchErrors.outOfBounds(ir.name, { array: name, index: i, length: len, line: src.siteLines[site], thread: [...cur.t], block: [...cur.b] });
    },
    ...ATOMIC_HELPERS,
    atomic_cas: (a: TypedArray, i: number, exp: number, v: number) => { const o = a[i]; if (o === exp) a[i] = v; return o; },
  };
}
