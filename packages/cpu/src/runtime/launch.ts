// A launch: the grid's blocks are split into contiguous ranges, one per
// worker; each range runs as one koffi async call of numbat_run on libuv's
// thread pool, so all cores work while the event loop stays free. Each worker
// gets its own scratch memory (shared arrays, per-thread storage), reused
// block after block and launch after launch. Launches of one kernel may run
// concurrently (different streams, un-awaited calls), so scratch sets are
// borrowed from a pool for the duration of a launch, never shared by two
// launches in flight. Errors recorded by the
// generated code (abi.ts INFO words) become a LaunchError.

import { availableParallelism } from 'node:os';
import { launchErrors, type LaunchError } from '@numbat/core';
import type { LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import { ERR_BARRIER_EXIT, ERR_BOUNDS, INFO, scratchBytes, type KernelPlan } from '../codegen/abi.js';
import type { KoffiFn } from './loader.js';

/** Worker count: NUMBAT_CPU_THREADS, else the machine's cores (libuv's pool is sized to match). */
export function workerCount(): number {
  const env = Number(process.env.NUMBAT_CPU_THREADS);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

// libuv's pool has 4 threads unless told otherwise; size it before it starts.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, workerCount()));

/** Below this many threads in the grid, one synchronous call beats the async fan-out (~15 µs per call). */
const SYNC_THREADS = 4096;

/** One buffer per worker; a launch owns a set while it runs. */
type ScratchSet = Uint8Array[];

function scratchFor(set: ScratchSet, worker: number, bytes: number): Uint8Array {
  let s = set[worker];
  if (!s || s.byteLength < bytes) {
    s = new Uint8Array(bytes);
    set[worker] = s;
  }
  return s;
}

export class Launcher {
  /** Idle scratch sets; usually one, more only while launches overlap. */
  private idle: ScratchSet[] = [];

  constructor(readonly fn: KoffiFn, readonly plan: KernelPlan) {}

  async launch(dims: LaunchDims, args: LaunchArg[]): Promise<void> {
    const plan = this.plan;
    const [gx, gy, gz] = dims.grid;
    const nblocks = gx * gy * gz;
    if (nblocks > 0x7fffffff) throw new RangeError(`numbat: target 'cpu' runs at most 2^31-1 blocks per launch; the grid ${dims.grid.join('×')} has ${nblocks}`);
    const threadsPerBlock = dims.block[0] * dims.block[1] * dims.block[2];
    const info = new Int32Array(INFO.LENGTHS + args.length);
    info.set(dims.grid, INFO.GRID);
    info.set(dims.block, INFO.BLOCK);
    info[INFO.DYN_SHARED] = dims.sharedMem;
    const callArgs: unknown[] = args.map((a, i) => {
      if (a.kind === 'array') {
        const data = (a.host ?? a.buffer) as TypedArray;
        info[INFO.LENGTHS + i] = data.length;
        return data;
      }
      const t = plan.scalarTypes[i];
      const v = a.value;
      if (t === 'bool') return v ? 1 : 0;
      if (t === 'i32' || t === 'u32') return Number(v) | 0;
      return Number(v);
    });
    const bytes = scratchBytes(plan, threadsPerBlock, dims.sharedMem);
    const workers = Math.min(workerCount(), nblocks);
    const set = this.idle.pop() ?? [];
    try {
      if (workers <= 1 || nblocks * threadsPerBlock < SYNC_THREADS) {
        this.fn(info, 0, nblocks, scratchFor(set, 0, bytes), ...callArgs);
      } else {
        const calls: Promise<number>[] = [];
        for (let w = 0; w < workers; w++) {
          const begin = Math.floor((nblocks * w) / workers), end = Math.floor((nblocks * (w + 1)) / workers);
          const scratch = scratchFor(set, w, bytes);
          calls.push(new Promise((resolve, reject) => {
            this.fn.async(info, begin, end, scratch, ...callArgs, (err: unknown, r: number) => (err ? reject(err) : resolve(r)));
          }));
        }
        await Promise.all(calls);
      }
    } finally {
      this.idle.push(set);
    }
    if (info[INFO.ERR_FLAG]) throw launchError(plan, info, dims);
  }
}

function coords(linear: number, dims: LaunchDims): number[] {
  const [bx, by] = dims.block;
  return [linear % bx, Math.floor(linear / bx) % by, Math.floor(linear / (bx * by))];
}

function launchError(plan: KernelPlan, info: Int32Array, dims: LaunchDims): LaunchError {
  const block = Array.from(info.subarray(INFO.ERR_BLOCK, INFO.ERR_BLOCK + 3));
  const kind = info[INFO.ERR_KIND];
  if (kind === ERR_BOUNDS) {
    const site = plan.sites[info[INFO.ERR_SITE]] ?? { array: '?', line: 0 };
    const thread = Array.from(info.subarray(INFO.ERR_THREAD, INFO.ERR_THREAD + 3));
    const index = info[INFO.ERR_INDEX];
    const length = site.param !== undefined ? info[INFO.LENGTHS + site.param]
      : site.dynElemBytes !== undefined ? Math.floor(dims.sharedMem / site.dynElemBytes) : (site.size ?? 0);
    return launchErrors.outOfBounds(plan.name, { array: site.array, index, length, line: site.line, thread, block });
  }
  if (kind === ERR_BARRIER_EXIT) {
    const line = plan.barrierLines[info[INFO.ERR_SITE]] ?? 0;
    const gone = coords(info[INFO.ERR_THREAD], dims), waiting = coords(info[INFO.ERR_OTHER], dims);
    return launchErrors.barrierExit(plan.name, { block, exited: gone, waiting, line });
  }
  return launchErrors.unknown(plan.name, kind, block);
}
