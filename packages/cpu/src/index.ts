// @numbat/cpu: target 'cpu'. Kernels are compiled by LLVM (in-process, via
// llvm-bindings + LLVM's C API) for the host CPU and run on all cores.
// Host memory is device memory: device arrays are used in place; host arrays
// in place by synchronous launches, through launch-owned copies otherwise
// (runtime/ownership.ts).

import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { delimiter, join } from 'node:path';
import { BackendUnavailableError, CompileError, TYPED_ARRAY_OF, forEachStmt } from '@numbat/core';
import type { Backend, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import type { KernelPlan } from './codegen/abi.js';
import { LIBLLVM_PATH } from './llvm/capi.js';
import { llvmBindingsProblem } from './llvm/bindings.js';
import { Launcher, workerCount, type ParamInfo } from './runtime/launch.js';
import { linkSharedLibraryAsync, loadLibrary } from './runtime/loader.js';
import { cacheDir, cacheLookup, cacheStore, cacheTexts, entryKey } from './runtime/cache.js';

export interface CpuKernel extends CompiledKernel {
  readonly plan: KernelPlan;
  readonly launcher: Launcher;
  /** Where the kernel came from, and how long each step took (ms). */
  readonly origin: 'compiled' | 'cache';
  readonly timings: Record<string, number>;
  /** inspect texts: present after a compile, read from the cache otherwise. */
  texts?: Record<string, string>;
  readonly cacheKey?: string;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

export interface CompileRecord { kernel: string; origin: 'compiled' | 'cache'; timings: Record<string, number> }
const records: CompileRecord[] = [];
/** The most recent compiles/cache loads of this process, newest last (for benchmarks and diagnostics). */
export function compileRecords(): readonly CompileRecord[] {
  return records;
}
function record(k: CpuKernel): CpuKernel {
  records.push({ kernel: k.ir.name, origin: k.origin, timings: k.timings });
  if (records.length > 100) records.shift();
  return k;
}

function paramInfo(ir: KernelIR): ParamInfo[] {
  return ir.params.map((p) => ({ name: p.name, written: p.written }));
}

/** Can a thread of this kernel run forever? Only a loop can (device functions are inlined, recursion is refused). */
function hasLoop(ir: KernelIR): boolean {
  let loop = false;
  forEachStmt(ir.body, (s) => { if (s.kind === 'loop') loop = true; });
  return loop;
}

/**
 * A kernel with loops gets a stoppable variant (its loops poll the launch's
 * stop flag), compiled (or loaded from the cache) at its first launch with a
 * signal/timeout; ordinary launches never pay for the polls. Without loops
 * every block ends, and stopping at the next block is enough.
 */
function withStoppable(k: CpuKernel, opts: CompileOptions): CpuKernel {
  if (!hasLoop(k.ir)) return k;
  let variant: Promise<Launcher> | undefined;
  k.launcher.stoppable = () => variant ??= compileExplained(k.ir, opts, true).then((v) => v.launcher, (e) => {
    variant = undefined; // a failed compile is retried by the next stoppable launch
    throw e;
  });
  return k;
}

async function compileKernel(ir: KernelIR, opts: CompileOptions, stoppable = false): Promise<CpuKernel> {
  const t0 = performance.now();
  const key = opts.cache ? entryKey(opts.cacheKey, opts.boundscheck, stoppable) : undefined;
  if (key) {
    const hit = cacheLookup(key);
    if (hit) {
      try {
        const lib = loadLibrary(hit.library, hit.plan, hit.sha256);
        return record({ ir, plan: hit.plan, launcher: new Launcher(lib.fn, hit.plan, paramInfo(ir)), origin: 'cache', timings: { total: performance.now() - t0 }, cacheKey: key });
      } catch {
        // an unloadable entry is rebuilt below
      }
    }
  }
  // The compiler (and with it llvm-bindings and libLLVM) loads only here.
  const { compileToObject } = await import('./codegen/compile.js');
  const { hostTarget } = await import('./codegen/target.js');
  const { jitLoad } = await import('./runtime/jit.js');
  const obj = compileToObject(ir, { boundscheck: opts.boundscheck, poll: stoppable }, hostTarget());
  const t = performance.now();
  // The kernel object owns its JIT'd code: once it is unreachable, the code is freed.
  const kernel = { ir, plan: obj.plan, origin: 'compiled', timings: {}, cacheKey: key } as { -readonly [K in keyof CpuKernel]: CpuKernel[K] };
  const fn = jitLoad(obj.object, obj.plan, kernel);
  const timings: Record<string, number> = { ...obj.timings, jit: performance.now() - t };
  const texts = { llvm: obj.llvm, opt: obj.opt };
  // The cache holds a shared library (loadable without LLVM); linking it spawns
  // `ld`, so it happens in the background while the JIT'd kernel already runs.
  if (key) pendingStores.add(storeInBackground(key, obj.object, obj.plan, texts));
  timings.total = performance.now() - t0;
  Object.assign(kernel, { launcher: new Launcher(fn, obj.plan, paramInfo(ir), kernel), timings, texts });
  return record(kernel);
}

/** compileKernel, its internal failures as a CompileError naming the kernel. */
async function compileExplained(ir: KernelIR, opts: CompileOptions, stoppable = false): Promise<CpuKernel> {
  try {
    return await compileKernel(ir, opts, stoppable);
  } catch (e) {
    if (e instanceof CompileError || e instanceof BackendUnavailableError) throw e;
    throw new CompileError('internal error', `numbat internal error in the cpu backend while compiling kernel '${ir.name}'${stoppable ? ' (its stoppable variant)' : ''}: ${(e as Error).message}`, ir.name, ir.source);
  }
}

const pendingStores = new Set<Promise<void>>();

function storeInBackground(key: string, object: Buffer, plan: KernelPlan, texts: Record<string, string>): Promise<void> {
  const p = (async () => {
    try {
      const so = await linkSharedLibraryAsync(object);
      cacheStore(key, so, plan, texts);
    } catch (e) {
      process.emitWarning(`numbat: could not store kernel '${plan.name}' in the disk cache: ${(e as Error).message}`);
    }
  })();
  const done = p.finally(() => pendingStores.delete(done));
  return done;
}

/** Resolves when every cache entry being written has reached the disk. */
export async function flushCache(): Promise<void> {
  await Promise.all([...pendingStores]);
}

export const backend: Backend = {
  target: 'cpu',
  caps: { f64: true, i64: 'native', atomics64: true },
  stages: ['llvm', 'opt', 'asm'],

  async available() {
    if (!existsSync(LIBLLVM_PATH)) return { ok: false, reason: `LLVM 14's C API library is missing (${LIBLLVM_PATH}; Debian: apt install libllvm14)` };
    if (!onPath('ld') && !onPath('cc')) return { ok: false, reason: 'no linker (ld or cc) on PATH (Debian: apt install binutils)' };
    const bindings = llvmBindingsProblem();
    if (bindings) return { ok: false, reason: bindings };
    const model = cpus()[0]?.model ?? 'CPU';
    // reduce: blocks run one after another per worker, so the grid is sized by the per-thread
    // share (reduce gives ~10 elements per thread, measured best), not by concurrency.
    return { ok: true, device: `${model} (${workerCount()} workers)`, hardware: false, gridStrideBlocks: workerCount() * 65536 };
  },

  async details() {
    return {
      cpu: cpus()[0]?.model ?? 'unknown', arch: process.arch, workers: workerCount(), libLLVM: LIBLLVM_PATH,
      cacheDir: cacheDir(),
    };
  },

  async compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel> {
    return withStoppable(await compileExplained(ir, opts), opts);
  },

  async inspect(kernel: CompiledKernel, stage: string) {
    const k = kernel as CpuKernel;
    k.texts ??= (k.cacheKey ? cacheTexts(k.cacheKey) : undefined) ?? {};
    if (stage === 'asm') {
      if (!k.texts.asm) {
        if (!k.texts.opt) throw new Error(`numbat: the cached kernel '${k.ir.name}' has no stored IR; delete the cache entry to rebuild it`);
        const { assemblyOf } = await import('./codegen/compile.js');
        const { hostTarget } = await import('./codegen/target.js');
        k.texts.asm = assemblyOf(k.texts.opt, hostTarget());
      }
      return k.texts.asm;
    }
    const text = k.texts[stage];
    if (text === undefined) throw new Error(`numbat: cpu has no stage '${stage}' (have: llvm, opt, asm)`);
    return text;
  },

  async launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]) {
    await (kernel as CpuKernel).launcher.launch(dims, args);
  },

  async alloc(elem: ElemType, length: number) {
    // SharedArrayBuffer: neither detachable nor shrinkable, so launches use device arrays in place (runtime/ownership.ts).
    const T = TYPED_ARRAY_OF[elem];
    return new T(new SharedArrayBuffer(length * T.BYTES_PER_ELEMENT));
  },
  async upload(buffer: unknown, data: TypedArray) {
    (buffer as TypedArray).set(data as never);
  },
  async download(buffer: unknown, into: TypedArray) {
    into.set(buffer as never);
  },
  free() {},
};

export { LIBM_MATH as CPU_MATH } from './llvm/math.js';
export { liveJitKernels } from './runtime/jit.js';
