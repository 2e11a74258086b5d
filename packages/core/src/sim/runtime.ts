// The simulator's launch loop: blocks one after another (all side by side when
// the kernel has a grid barrier); inside a block, every
// thread is a coroutine resumed in threadIdx order until it reaches a barrier
// or a warp operation, or exits. A warp operation completes when the lanes its
// mask names are all there (ir/warp.ts); a block proceeds past a barrier only
// when every thread waits at that same barrier; anything else is reported,
// never left hanging.

import { launchErrors } from '../errors.js';
import type { KernelIR } from '../ir/nodes.js';
import type { LaunchDims } from '../backend.js';
import { TYPED_ARRAY_OF, type TypedArray } from '../types.js';
import type { SimSource } from './codegen.js';
import { ATOMIC_OPS, type AtomicOp } from '../ir/ops.js';
import { atomicNewJs } from '../ir/semantics.js';
import { WARP_SIZE, WARP_SPELLING, warpResults, type WarpArrival } from '../ir/warp.js';

type ThreadFn = (shared: TypedArray[], tx: number, ty: number, tz: number, bx: number, by: number, bz: number) => Generator<unknown, void, unknown> | void;

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
  const fresh = (): TypedArray[] => shared.map((a) => new (a.constructor as new (n: number) => TypedArray)(a.length));
  const start = (kx: number, ky: number, kz: number, mem: TypedArray[]): BlockRun => {
    const gens: Generator<Yielded, void, unknown>[] = [];
    for (let tz = 0; tz < bz; tz++) for (let ty = 0; ty < by; ty++) for (let tx = 0; tx < bx; tx++) {
      gens.push(thread(mem, tx, ty, tz, kx, ky, kz) as Generator<Yielded, void, unknown>);
    }
    return { b: [kx, ky, kz], gens, exited: new Uint8Array(nthreads), runnable: new Uint8Array(nthreads).fill(1), input: new Array(nthreads), at: new Array(nthreads), live: nthreads };
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
    for (const s of shared) (s as Float64Array).fill(is64(s) ? 0n as never : 0);
    cur.b = [kx, ky, kz];
    if (!ir.hasBarrier && !ir.hasWarp) {
      for (let tz = 0; tz < bz; tz++) for (let ty = 0; ty < by; ty++) for (let tx = 0; tx < bx; tx++) {
        cur.t[0] = tx; cur.t[1] = ty; cur.t[2] = tz;
        thread(shared, tx, ty, tz, kx, ky, kz);
      }
      continue;
    }
    stepBlock(start(kx, ky, kz, shared), cur, ir, src, bx, by);
  }
}

/** A barrier id (negative: a grid barrier, see codegen), or a warp operation [site, mask, value, lane] (sim/codegen.ts). */
type WarpWait = [number, number, number | boolean, number];
type Yielded = number | WarpWait;

interface BlockRun {
  b: number[]; gens: Generator<Yielded, void, unknown>[];
  exited: Uint8Array; runnable: Uint8Array; input: unknown[]; at: Yielded[]; live: number;
}

/**
 * Runs one block's threads: each runs until it waits (at a barrier or a warp
 * operation) or exits; then warp operations whose lanes have all come are
 * resolved (warp.ts), and when nothing else can move, a barrier that every
 * thread waits at is released. Anything else is a divergence error. Returns
 * 'done' when every thread has returned, or the (negative) id of the grid
 * barrier all its threads wait at.
 */
function stepBlock(r: BlockRun, cur: { t: number[]; b: number[] }, ir: KernelIR, src: SimSource, bx: number, by: number): 'done' | number {
  const { gens, exited, runnable, input, at } = r;
  const nthreads = gens.length;
  cur.b = r.b;
  while (r.live > 0) {
    for (let t = 0; t < nthreads; t++) {
      if (!runnable[t]) continue;
      cur.t = coords(t, bx, by);
      const res = gens[t].next(input[t]);
      runnable[t] = 0;
      if (res.done) { exited[t] = 1; r.live--; continue; }
      at[t] = res.value as Yielded;
    }
    if (r.live === 0) break;
    if (ir.hasWarp && resolveWarps(ir, src, cur.b, at, exited, runnable, input, bx, by)) continue;
    let waiting = 0, firstWaiter = -1;
    for (let t = 0; t < nthreads; t++) {
      if (exited[t]) continue;
      const w = at[t];
      if (typeof w !== 'number') warpStuck(ir, src, cur.b, t, at, exited, bx, by);
      if (firstWaiter < 0) { waiting = w; firstWaiter = t; }
      else if (w !== waiting) divergence(ir, src, cur.b, [firstWaiter, barrierIndex(waiting)], [t, barrierIndex(w)], bx, by);
    }
    if (r.live < nthreads) {
      const gone = exited.indexOf(1);
      throw launchErrors.barrierExit(ir.name, { block: cur.b, exited: coords(gone, bx, by), waiting: coords(firstWaiter, bx, by), line: src.barrierLines[barrierIndex(waiting)] });
    }
    for (let t = 0; t < nthreads; t++) { runnable[t] = 1; input[t] = undefined; }
    if (waiting < 0) return waiting;
  }
  return 'done';
}

const barrierIndex = (yielded: number): number => (yielded < 0 ? -1 - yielded : yielded);

/** Resolves every warp operation whose mask's lanes have all arrived; true if any was. */
function resolveWarps(ir: KernelIR, src: SimSource, block: number[], at: Yielded[], exited: Uint8Array, runnable: Uint8Array, input: unknown[], bx: number, by: number): boolean {
  const n = at.length;
  let progress = false;
  for (let base = 0; base < n; base += WARP_SIZE) {
    const sites = new Map<number, number[]>();
    for (let t = base; t < Math.min(n, base + WARP_SIZE); t++) {
      const w = at[t];
      if (exited[t] || runnable[t] || typeof w === 'number') continue;
      if (!sites.has(w[0])) sites.set(w[0], []);
      sites.get(w[0])!.push(t);
    }
    for (const [site, lanes] of sites) {
      const { op } = src.warpSites[site];
      const here = new Set(lanes);
      const ready = op === 'activemask' || lanes.every((t) => {
        const mask = (at[t] as WarpWait)[1] >>> 0;
        const lane = t - base;
        if (!((mask >>> lane) & 1)) throw launchErrors.warpMask(ir.name, { block, thread: coords(t, bx, by), what: `does not name the calling lane ${lane} itself`, ...siteOf(src, site, mask) });
        for (let k = 0; k < WARP_SIZE; k++) {
          if (!((mask >>> k) & 1)) continue;
          if (base + k >= n) throw launchErrors.warpMask(ir.name, { block, thread: coords(t, bx, by), what: `names lane ${k}, which this block does not have (${n} threads: the last warp is partial)`, ...siteOf(src, site, mask) });
          if (exited[base + k]) throw launchErrors.warpMask(ir.name, { block, thread: coords(t, bx, by), what: `names lane ${k}, thread (${coords(base + k, bx, by).join(', ')}), which has exited`, ...siteOf(src, site, mask) });
          if (!here.has(base + k)) return false;
        }
        return true;
      });
      if (!ready) continue;
      const arrivals = new Array<WarpArrival | undefined>(WARP_SIZE);
      for (const t of lanes) { const w = at[t] as WarpWait; arrivals[t - base] = { mask: w[1], value: w[2], lane: w[3] }; }
      const results = warpResults(op, arrivals);
      for (const t of lanes) { input[t] = results[t - base]; runnable[t] = 1; }
      progress = true;
    }
  }
  return progress;
}

/** Nothing can move and thread t waits at a warp operation: say which lane of its mask is missing. */
function warpStuck(ir: KernelIR, src: SimSource, block: number[], t: number, at: Yielded[], exited: Uint8Array, bx: number, by: number): never {
  const w = at[t] as WarpWait;
  const base = t - (t % WARP_SIZE);
  const mask = w[1] >>> 0;
  for (let k = 0; k < WARP_SIZE; k++) {
    const o = base + k;
    if (!((mask >>> k) & 1)) continue;
    if (exited[o]) throw launchErrors.warpMask(ir.name, { block, thread: coords(t, bx, by), what: `names lane ${k}, thread (${coords(o, bx, by).join(', ')}), which has exited`, ...siteOf(src, w[0], mask) });
    const there = at[o];
    if (typeof there === 'number' || there[0] !== w[0]) {
      const elsewhere = typeof there === 'number' ? `cuda.syncthreads() on line ${src.barrierLines[there] ?? '?'}` : `${WARP_SPELLING[src.warpSites[there[0]].op]} on line ${src.warpSites[there[0]].line || '?'}`;
      throw launchErrors.warpMask(ir.name, { block, thread: coords(t, bx, by), what: `names lane ${k}, thread (${coords(o, bx, by).join(', ')}), which waits at ${elsewhere} instead`, ...siteOf(src, w[0], mask) });
    }
  }
  throw launchErrors.warpMask(ir.name, { block, thread: coords(t, bx, by), what: 'cannot complete', ...siteOf(src, w[0], mask) });
}

function siteOf(src: SimSource, site: number, mask: number): { op: string; line?: number; mask: number } {
  return { op: WARP_SPELLING[src.warpSites[site].op], line: src.warpSites[site].line || undefined, mask };
}

function coords(t: number, bx: number, by: number): number[] {
  return [t % bx, Math.floor(t / bx) % by, Math.floor(t / (bx * by))];
}

function divergence(ir: KernelIR, src: SimSource, block: number[], a: [number, number], b: [number, number], bx: number, by: number): never {
  throw launchErrors.barrierMismatch(ir.name, { block, a: coords(a[0], bx, by), lineA: src.barrierLines[a[1]], b: coords(b[0], bx, by), lineB: src.barrierLines[b[1]] });
}

type Num = { [i: number]: any };
const is64 = (a: unknown) => a instanceof BigInt64Array || a instanceof BigUint64Array;
/** The BigInt forms (a BigInt64Array store wraps to 64 bits, as the IR's i64 does). */
const ATOMIC64: Record<string, (a: Num, i: number, v: any) => unknown> = {
  add: (a, i, v) => { const o = a[i]; a[i] = o + v; return o; },
  sub: (a, i, v) => { const o = a[i]; a[i] = o - v; return o; },
  max: (a, i, v) => { const o = a[i]; a[i] = o > v ? o : v; return o; },
  min: (a, i, v) => { const o = a[i]; a[i] = o < v ? o : v; return o; },
  and: (a, i, v) => { const o = a[i]; a[i] = o & v; return o; },
  or: (a, i, v) => { const o = a[i]; a[i] = o | v; return o; },
  xor: (a, i, v) => { const o = a[i]; a[i] = o ^ v; return o; },
  exch: (a, i, v) => { const o = a[i]; a[i] = v; return o; },
};
/** rt.atomic_<op>(array, index, value): the old element; the new one from ir/semantics.ts (numbers) or ATOMIC64 (BigInt arrays). */
const ATOMIC_HELPERS = Object.fromEntries(ATOMIC_OPS.filter((op) => op !== 'cas').map((op) => {
  const num = new Function('a', 'i', 'v', `const o = a[i]; a[i] = ${atomicNewJs(op as Exclude<AtomicOp, 'cas'>, 'o', 'v')}; return o;`) as (a: Num, i: number, v: any) => unknown;
  const big = ATOMIC64[op];
  return [`atomic_${op}`, big ? (a: Num, i: number, v: any) => (is64(a) ? big(a, i, v) : num(a, i, v)) : num];
}));

function runtimeHelpers(ir: KernelIR, src: SimSource, cur: { t: number[]; b: number[] }) {
  const Typed = Object.fromEntries(Object.entries(TYPED_ARRAY_OF).map(([k, v]) => [k, v]));
  return {
    Typed,
    ix(i: number, len: number, site: number, name: string): number {
      if (i >= 0 && i < len) return i;
      throw launchErrors.outOfBounds(ir.name, { array: name, index: i, length: len, line: src.siteLines[site], thread: [...cur.t], block: [...cur.b] });
    },
    ...ATOMIC_HELPERS,
    atomic_cas: (a: Num, i: number, exp: any, v: any) => { const o = a[i]; if (o === exp) a[i] = v; return o; },
  };
}
