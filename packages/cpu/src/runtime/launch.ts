// A launch: one koffi async call of numbat_run per worker on libuv's thread
// pool, so all cores work while the event loop stays free; the workers claim
// the grid's blocks in contiguous chunks from one shared counter (abi.ts), so
// a worker that starts late or shares its core does less. Each worker
// gets its own scratch memory (shared arrays, per-thread storage), reused
// block after block and launch after launch. Launches run one after another
// in call order (queue.ts); a launch owns what it reads and writes until its
// native calls have returned (ownership.ts). Errors recorded by the generated
// code (abi.ts INFO words) become a LaunchError; so does a launch stopped by
// its signal (the runtime claims the error record, and every worker stops at
// its next block, or at a loop's next turn in the stoppable variant).

import { availableParallelism } from 'node:os';
import { abortedError, LaunchError, launchErrors } from '@numbat/core';
import type { LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import { ERR_BARRIER_EXIT, ERR_BOUNDS, ERR_CANCELLED, ERR_GRID_EXIT, INFO, scratchBytes, type KernelPlan } from '../codegen/abi.js';
import type { KoffiFn } from './loader.js';
import { ownAll, releaseOwned, writeBack } from './ownership.js';
import { admit, admitNow, idle as queueIdle, nativeCallEnded, nativeCallStarted, release } from './queue.js';

/** Worker count: NUMBAT_CPU_THREADS, else the machine's cores. */
export function workerCount(): number {
  const env = Number(process.env.NUMBAT_CPU_THREADS);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

// libuv's pool has 4 threads unless told otherwise; size it before it starts,
// with 4 threads beyond numbat's workers for fs, dns and zlib (even while a kernel hangs).
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, workerCount() + 4));

/** At most this many native calls per launch: the workers, leaving 2 of libuv's threads to others. */
function callLimit(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(workerCount(), pool - 2));
}

/** Claims of blocks per worker in a launch on several workers (runAsync). */
const CLAIMS_PER_WORKER = 16;

/**
 * Below this many threads in the grid, one synchronous call beats the async fan-out (~15 µs per
 * call). NUMBAT_CPU_SYNC_THREADS sets it (0: every launch on the worker threads, as the fuzzer
 * runs some of its small kernels).
 */
function syncThreads(): number {
  const env = process.env.NUMBAT_CPU_SYNC_THREADS;
  const n = Number(env);
  return env && Number.isInteger(n) && n >= 0 ? n : 4096;
}

/** Longest array a kernel can index: lengths and indices are 32-bit in kernels (`a.length` is an i32). */
export const MAX_ARRAY_LENGTH = 0x7fffffff;

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

/** What the launcher needs to know of each kernel parameter. */
export interface ParamInfo { name: string; written: boolean }

export class Launcher {
  /** Idle scratch sets; usually one, more only while launches overlap. */
  private idle: ScratchSet[] = [];
  /**
   * The launcher of the kernel's stoppable variant (loops poll for a stop), for
   * launches with a signal/timeout; absent when every block of the kernel ends
   * by itself (no loops). Set by the backend (index.ts).
   */
  stoppable?: () => Promise<Launcher>;
  /**
   * The launcher of the kernel's variant with narrow tails, for blocks whose width is not a
   * multiple of plan.wideGroups (compiled at the first such launch). Set by the backend (index.ts).
   */
  narrowTails?: () => Promise<Launcher>;
  /** That launcher, once made (small launches then still run synchronously). */
  private tails?: Launcher;

  /**
   * `owner`: the object whose collection frees `fn`'s code (runtime/jit.ts); a launch in flight
   * holds the launcher, and so the code.
   */
  constructor(readonly fn: KoffiFn, readonly plan: KernelPlan, readonly params: readonly ParamInfo[], private readonly owner?: object) {}

  async launch(dims: LaunchDims, args: LaunchArg[]): Promise<void> {
    const plan = this.plan;
    const [gx, gy, gz] = dims.grid;
    const nblocks = gx * gy * gz;
    if (nblocks > 0x7fffffff) throw new RangeError(`numbat: target 'cpu' runs at most 2^31-1 blocks per launch; the grid ${dims.grid.join('×')} has ${nblocks}`);
    args.forEach((a, i) => {
      const n = a.kind === 'array' ? ((a.host ?? a.buffer) as TypedArray).length : 0;
      if (n > MAX_ARRAY_LENGTH) {
        const name = this.params[i]?.name ?? `#${i + 1}`;
        throw new LaunchError(`kernel '${plan.name}': array '${name}' (argument ${i + 1}) has ${n} elements; target 'cpu' indexes arrays of at most 2^31-1 (${MAX_ARRAY_LENGTH}) elements (kernel lengths and indices are 32-bit)`, plan.name, { array: name, length: n, limit: MAX_ARRAY_LENGTH });
      }
    });
    const threadsPerBlock = dims.block[0] * dims.block[1] * dims.block[2];
    const signal = dims.signal;
    // A grid barrier needs every block resident: one native call per block, all at once.
    const cooperative = plan.gridSync === true && nblocks > 1;
    if (cooperative && nblocks > callLimit()) {
      throw launchErrors.gridTooLarge(plan.name, { target: 'cpu', blocks: nblocks, limit: callLimit(), why: 'one worker thread per block; NUMBAT_CPU_THREADS and UV_THREADPOOL_SIZE set the workers' });
    }
    const sync = !cooperative && nblocks * threadsPerBlock < syncThreads();
    // Rows of threads that leave a remainder of the wide lane groups: the variant with narrow tails.
    const tails = plan.wideGroups !== undefined && this.narrowTails !== undefined && dims.block[0] % plan.wideGroups !== 0;
    // Small launches run synchronously, in place, when nothing is queued before them.
    if (!signal && sync && (!tails || this.tails) && queueIdle()) return (tails ? this.tails! : this).runSync(dims, args, nblocks);
    if (!admitNow()) await admit(signal, () => abortedError(plan.name, signal!));
    let running: Promise<void>;
    try {
      // Compiled (or loaded) in its turn, so launches still start in call order.
      const runner = signal && this.stoppable ? await this.stoppable() : tails ? (this.tails ??= await this.narrowTails!()) : this;
      if (signal?.aborted) throw abortedError(plan.name, signal); // aborted just as its turn came
      if (!signal && sync) {
        runner.runSync(dims, args, nblocks);
        release();
        return;
      }
      running = runner.runAsync(dims, args, nblocks, signal); // releases the queue once its native calls have returned
    } catch (e) {
      release();
      throw e;
    }
    return running;
  }

  private info(dims: LaunchDims, n: number): Int32Array {
    const info = new Int32Array(INFO.LENGTHS + n);
    info.set(dims.grid, INFO.GRID);
    info.set(dims.block, INFO.BLOCK);
    info[INFO.DYN_SHARED] = dims.sharedMem;
    info[INFO.GRID_BLOCKS] = dims.grid[0] * dims.grid[1] * dims.grid[2];
    return info;
  }

  private scalar(i: number, v: number | boolean | bigint): unknown {
    const t = this.plan.scalarTypes[i];
    // int64_t: the two's-complement bits as a BigInt (a u64 above 2^63 passes as its i64 twin).
    if (t === 'i64' || t === 'u64') return BigInt.asIntN(64, BigInt(v));
    if (t === 'bool') return v ? 1 : 0;
    if (t === 'i32' || t === 'u32') return Number(v) | 0;
    return Number(v);
  }

  /** One synchronous call on the event loop's thread: no JavaScript runs meanwhile, so arrays are used in place. */
  private runSync(dims: LaunchDims, args: LaunchArg[], nblocks: number): void {
    const plan = this.plan;
    const info = this.info(dims, args.length);
    const callArgs = args.map((a, i) => {
      if (a.kind === 'scalar') return this.scalar(i, a.value);
      const data = (a.host ?? a.buffer) as TypedArray;
      info[INFO.LENGTHS + i] = data.length;
      return data;
    });
    const threadsPerBlock = dims.block[0] * dims.block[1] * dims.block[2];
    const set = this.idle.pop() ?? [];
    try {
      this.fn(info, 0, nblocks, scratchFor(set, 0, scratchBytes(plan, threadsPerBlock, dims.sharedMem)), ...callArgs);
    } finally {
      this.idle.push(set);
    }
    if (info[INFO.ERR_FLAG]) throw launchError(plan, info, dims);
  }

  /**
   * The grid over the workers, as koffi async calls on launch-owned memory.
   * Releases the queue when every call has returned (also after a stop).
   */
  private runAsync(dims: LaunchDims, args: LaunchArg[], nblocks: number, signal: AbortSignal | undefined): Promise<void> {
    const plan = this.plan;
    const info = this.info(dims, args.length);
    const owned = ownAll(args.map((a) => (a.kind === 'array' ? (a.host ?? a.buffer) as TypedArray : undefined)));
    const callArgs = args.map((a, i) => {
      if (a.kind === 'scalar') return this.scalar(i, a.value);
      const view = owned[i]!.view;
      info[INFO.LENGTHS + i] = view.length;
      return view;
    });
    const threadsPerBlock = dims.block[0] * dims.block[1] * dims.block[2];
    const bytes = scratchBytes(plan, threadsPerBlock, dims.sharedMem);
    const workers = this.plan.gridSync ? nblocks : Math.min(callLimit(), nblocks);
    // Blocks claimed in chunks from one shared range (abi.ts CHUNK): a worker that starts late or
    // shares its core runs fewer of them, instead of the launch waiting for its fixed share. About
    // 16 claims per worker: few enough atomics, and the last chunk is a sixteenth of a share.
    const shared = !this.plan.gridSync && workers > 1;
    if (shared) info[INFO.CHUNK] = Math.max(1, Math.floor(nblocks / (workers * CLAIMS_PER_WORKER)));
    const set = this.idle.pop() ?? [];
    let pending = workers;
    let stopped = false;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        if (stopped) return;
        stopped = true;
        // Claim the error record (as a failing worker would): every worker stops at its next block.
        if (Atomics.compareExchange(info, INFO.ERR_FLAG, 0, 1) === 0) Atomics.store(info, INFO.ERR_KIND, ERR_CANCELLED);
        reject(abortedError(plan.name, signal!));
      };
      let firstError: unknown;
      const done = (err: unknown): void => {
        nativeCallEnded();
        if (err && firstError === undefined) firstError = err;
        if (--pending > 0) return;
        // Every call has returned: the launch's memory is free again, the next launch may start.
        signal?.removeEventListener('abort', onAbort);
        this.idle.push(set);
        release();
        if (stopped || firstError !== undefined || info[INFO.ERR_FLAG]) releaseOwned(owned);
        if (stopped) return;
        stopped = true;
        if (firstError !== undefined) return reject(firstError);
        if (info[INFO.ERR_FLAG]) return reject(launchError(plan, info, dims));
        const lost = owned.flatMap((o, i) => (o && this.params[i]?.written !== false && !writeBack(o) ? [this.params[i]?.name ?? `#${i + 1}`] : []));
        releaseOwned(owned);
        if (lost.length) {
          return reject(new LaunchError(`kernel '${plan.name}': array ${lost.map((n) => `'${n}'`).join(', ')} was transferred away or resized while the launch ran; the kernel's results for it were not written back`, plan.name, { arrays: lost }));
        }
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      for (let w = 0; w < workers; w++) {
        const begin = shared ? 0 : Math.floor((nblocks * w) / workers), end = shared ? nblocks : Math.floor((nblocks * (w + 1)) / workers);
        nativeCallStarted();
        try {
          this.fn.async(info, begin, end, scratchFor(set, w, bytes), ...callArgs, (err: unknown) => done(err));
        } catch (e) {
          // Not started (koffi refused the call): stop the calls already running, then report.
          if (Atomics.compareExchange(info, INFO.ERR_FLAG, 0, 1) === 0) Atomics.store(info, INFO.ERR_KIND, ERR_CANCELLED);
          pending -= workers - w - 1;
          done(new Error(`numbat: kernel '${plan.name}' could not start on the cpu's worker threads: ${(e as Error).message}`));
          return;
        }
      }
    });
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
    const index = site.unsigned ? info[INFO.ERR_INDEX] >>> 0 : info[INFO.ERR_INDEX];
    const length = site.param !== undefined ? info[INFO.LENGTHS + site.param]
      : site.dynElemBytes !== undefined ? Math.floor(dims.sharedMem / site.dynElemBytes) : (site.size ?? 0);
    return launchErrors.outOfBounds(plan.name, { array: site.array, index, length, line: site.line, thread, block });
  }
  if (kind === ERR_BARRIER_EXIT) {
    const line = plan.barrierLines[info[INFO.ERR_SITE]] ?? 0;
    const gone = coords(info[INFO.ERR_THREAD], dims), waiting = coords(info[INFO.ERR_OTHER], dims);
    return launchErrors.barrierExit(plan.name, { block, exited: gone, waiting, line });
  }
  if (kind === ERR_GRID_EXIT) {
    const [gx, gy] = dims.grid;
    const blockAt = (l: number): number[] | undefined => (l < 0 ? undefined : [l % gx, Math.floor(l / gx) % gy, Math.floor(l / (gx * gy))]);
    return launchErrors.gridBarrierExit(plan.name, { exited: blockAt(info[INFO.ERR_THREAD]), waiting: blockAt(info[INFO.ERR_OTHER]) });
  }
  return launchErrors.unknown(plan.name, kind, block);
}
