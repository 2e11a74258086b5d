// @numbat/cpu: target 'cpu'. Kernels are compiled by LLVM (in-process, via
// llvm-bindings + LLVM's C API) for the host CPU and run on all cores.
// Host memory is device memory: device arrays are used in place; host arrays
// in place by synchronous launches, through launch-owned copies otherwise
// (runtime/ownership.ts).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { delimiter, join } from 'node:path';
import { BackendUnavailableError, CompileError, TYPED_ARRAY_OF, someStmt, log, logEnabled } from '@numbat/core';
import type { Backend, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import type { KernelPlan } from './codegen/abi.js';
import { LIBLLVM_PATH, llvmBindingsProblem, preloadLLVM, preloadPending, StagedCompiler, type CompileRecord, type StagedKernel } from '@numbat/llvm';
import { Launcher, workerCount, type ParamInfo } from './runtime/launch.js';
import { linkSharedLibraryAsync, loadLibrary, type KoffiFn, type LoadedLibrary } from './runtime/loader.js';
import { cache, cacheDir, entryKey, type KernelVariant } from './runtime/cache.js';
import type { CpuCompileState } from './codegen/compile.js';

export interface CpuKernel extends CompiledKernel, StagedKernel {
  readonly plan: KernelPlan;
  readonly launcher: Launcher;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

const STAGES = ['llvm', 'opt', 'asm'];
const compiler = new StagedCompiler<KernelPlan>('cpu', cache, STAGES);

export type { CompileRecord };
/** The most recent compiles/cache loads of this process, newest last (for benchmarks and diagnostics). */
export function compileRecords(): readonly CompileRecord[] {
  return compiler.compileRecords();
}

function paramInfo(ir: KernelIR): ParamInfo[] {
  return ir.params.map((p) => ({ name: p.name, written: p.written }));
}

/** Can a thread of this kernel run forever? Only a loop can (device functions are inlined, recursion is refused). */
function hasLoop(ir: KernelIR): boolean {
  return someStmt(ir.body, (s) => s.kind === 'loop');
}

/**
 * A kernel with loops gets a stoppable variant (its loops poll the launch's
 * stop flag), compiled (or loaded from the cache) at its first launch with a
 * signal/timeout; ordinary launches never pay for the polls. Without loops
 * every block ends, and stopping at the next block is enough. A kernel built
 * without narrow tails gets its variant with them likewise (below).
 */
function withVariants(k: CpuKernel, opts: CompileOptions): CpuKernel {
  const lazily = (variant: KernelVariant): (() => Promise<Launcher>) => {
    let made: Promise<Launcher> | undefined;
    return () => made ??= compileExplained(k.ir, opts, variant).then((v) => v.launcher, (e) => {
      made = undefined; // a failed compile is retried by the next launch that needs it
      throw e;
    });
  };
  if (hasLoop(k.ir)) k.launcher.stoppable = lazily('stoppable');
  // A kernel built without narrow tails (its lane groups wider than the base width) gets the
  // variant with them at its first launch whose blocks leave a remainder (codegen/abi.ts wideGroups).
  if (k.plan.wideGroups !== undefined) k.launcher.narrowTails = lazily('narrow-tails');
  return k;
}

/** The compiler's modules (with them llvm-bindings and libLLVM load, at its first stage), imported once. */
let compilerModules: Promise<[typeof import('./codegen/compile.js'), typeof import('./codegen/target.js'), typeof import('./runtime/jit.js')]> | undefined;
function loadCompiler() {
  compilerModules ??= Promise.all([import('./codegen/compile.js'), import('./codegen/target.js'), import('./runtime/jit.js')]);
  return compilerModules;
}

async function compileKernel(ir: KernelIR, opts: CompileOptions, variant: KernelVariant = 'default'): Promise<CpuKernel> {
  const key = opts.cache ? entryKey(opts.cacheKey, opts.boundscheck, variant) : undefined;
  // The kernel object owns its JIT'd code: once it is unreachable, the code is freed.
  const kernel = { ir } as { -readonly [K in keyof CpuKernel]: CpuKernel[K] };
  let cached: LoadedLibrary | undefined;
  const out = await compiler.compile<CpuCompileState & { fn?: KoffiFn }>({
    ir,
    lookup: key ? [key] : [],
    accept: (hit) => { cached = loadLibrary(hit.payload, hit.plan, hit.checksum); },
    store: key ? { key, dirs: [cacheDir()] } : undefined,
    pipeline: async () => {
      // The compiler (and with it llvm-bindings and libLLVM) loads only here.
      const [{ CPU_STAGES, analyseKernel }, { hostTarget }, { jitLoad }] = await loadCompiler();
      // While the preload (prepare) is still mapping LLVM's libraries, this thread would wait in
      // hostTarget's dlopen: it makes the kernel's analyses (no LLVM needed) and waits after.
      const t0 = performance.now();
      const analysed = preloadPending() ? analyseKernel(ir) : undefined;
      const t1 = performance.now();
      await preloadPending();
      if (analysed && logEnabled('debug')) log('debug', `cpu kernel '${ir.name}': analysed in ${(t1 - t0).toFixed(1)} ms while LLVM's libraries loaded, then ${(performance.now() - t1).toFixed(1)} ms waiting for them`);
      return {
        stages: [...CPU_STAGES, { name: 'jit', run: (s) => { s.fn = jitLoad(s.restObject ? [s.object!, s.restObject] : s.object!, s.built!.plan, kernel); } }],
        state: { ir, analysed, opts: { boundscheck: opts.boundscheck, poll: variant === 'stoppable', narrowTails: variant !== 'default', ...(opts.opt === false ? { laneWidth: 1 } : {}) }, target: hostTarget(), printTexts: key !== undefined },
        plan: (s) => s.built!.plan,
        // The cache holds a shared library (loadable without LLVM); linking it spawns
        // `ld`, so it happens in the background while the JIT'd kernel already runs.
        payload: (s) => linkSharedLibraryAsync(s.object!).then((so) => readFile(so)),
        dispose: (s) => s.nm?.dispose(),
      };
    },
  });
  if (out.origin === 'cache') {
    return Object.assign(kernel, { plan: out.plan, launcher: new Launcher(cached!.fn, out.plan, paramInfo(ir)), origin: 'cache' as const, timings: out.timings, cacheEntry: out.cacheEntry });
  }
  const launcher = new Launcher(out.state.fn!, out.plan, paramInfo(ir), kernel);
  return Object.assign(kernel, { plan: out.plan, launcher, origin: 'compiled' as const, timings: out.timings, texts: out.texts, cacheEntry: out.cacheEntry });
}

/** compileKernel, its internal failures as a CompileError naming the kernel. */
async function compileExplained(ir: KernelIR, opts: CompileOptions, variant: KernelVariant = 'default'): Promise<CpuKernel> {
  try {
    return await compileKernel(ir, opts, variant);
  } catch (e) {
    if (e instanceof CompileError || e instanceof BackendUnavailableError) throw e;
    throw new CompileError('internal error', `numbat internal error in the cpu backend while compiling kernel '${ir.name}'${variant !== 'default' ? ` (its ${variant === 'stoppable' ? 'stoppable variant' : 'variant with narrow tails'})` : ''}: ${(e as Error).message}`, ir.name, ir.source);
  }
}

/** Resolves when every cache entry being written has reached the disk. */
export async function flushCache(): Promise<void> {
  await compiler.flush();
}

export const backend: Backend = {
  target: 'cpu',
  caps: { f64: true, gridSync: true, fences: true, warp: 'emulated', i64: 'native', atomics64: true, native: ['math-erf-gamma', 'float-rem', 'umulhi', 'narrow-store', 'math-f64-ulp'] },
  stages: STAGES,

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

  // A compile needs LLVM's libraries (~150 ms to load): they load on a background thread
  // while core parses and lowers the kernel. Not for cached kernels: a hit needs no LLVM.
  // The compiler's modules are read meanwhile too (V8 compiles them once the frontend is done).
  prepare(opts) {
    if (opts.cache) return;
    void preloadLLVM();
    // A failed import is reported by the compile that awaits it (loadCompiler again).
    loadCompiler().catch(() => { compilerModules = undefined; });
  },

  async details() {
    return {
      cpu: cpus()[0]?.model ?? 'unknown', arch: process.arch, workers: workerCount(), libLLVM: LIBLLVM_PATH,
      cacheDir: cacheDir(),
    };
  },

  async compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel> {
    return withVariants(await compileExplained(ir, opts), opts);
  },

  async inspect(kernel: CompiledKernel, stage: string) {
    return compiler.inspect(kernel as CpuKernel, stage, {
      // Assembly is not needed to run a kernel: emitted from the optimised IR when asked for.
      asm: async (texts, k) => {
        if (!texts.opt) throw new Error(`numbat: the cached kernel '${k.ir.name}' has no stored IR; delete the cache entry to rebuild it`);
        const { assemblyOf } = await import('./codegen/compile.js');
        const { hostTarget } = await import('./codegen/target.js');
        return assemblyOf(texts.opt, hostTarget());
      },
    });
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

export { LIBM_MATH as CPU_MATH } from '@numbat/llvm';
export { liveJitKernels } from './runtime/jit.js';
// For diagnostics and tests (the count lives in the bundle: a copy imported by path would count nothing).
export { codegenModulesCreated } from './codegen/module-memory.js';
