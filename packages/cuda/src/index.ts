// @numbat/cuda: target 'cuda'. Kernels are lowered to LLVM IR for NVPTX by the
// shared lowering of @numbat/llvm, turned into PTX in-process (LLVM's C
// API), and launched through the CUDA driver API (libcuda via koffi). The
// compiler loads only on a cache miss: with a prepared PTX cache a GPU machine
// runs kernels without LLVM installed.

import { CompileError } from '@numbat/core';
import type { Backend, BackendStreams, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, NativeOp, TypedArray } from '@numbat/core';
import { preloadLLVM, StagedCompiler, type StagedKernel } from '@numbat/llvm';
import type { CudaPlan } from './codegen/abi.js';
import type { CudaCompileState } from './codegen/compile.js';
import { libdevicePath } from './codegen/libdevice.js';
import { defaultArch, loadableArchs } from './codegen/target.js';
import { aotOutDir, cache, cacheDir, entryKey } from './runtime/cache.js';
import { COMPILE_ONLY_DEVICE, COMPILE_ONLY_GRID_STRIDE_BLOCKS, compileOnly, llvmForbidden, noteKernel, notPrepared, PlaceholderBuffer, placeholderStreams } from './runtime/compile-only.js';
import { describeDevice, gpu, gridStrideBlocks, probeGpu } from './runtime/device.js';
import { Launcher } from './runtime/launcher.js';
import { allocBuffer, DeviceBuffer, download, freeBuffer, upload } from './runtime/memory.js';
import { loadKernelFunction } from './runtime/module.js';
import { Event, Stream } from './runtime/stream.js';

/** origin 'cache': read from the disk cache or a prepared PTX directory. */
export interface CudaKernel extends CompiledKernel, StagedKernel {
  readonly plan: CudaPlan;
  readonly ptx: string;
  launcher?: Launcher;
}

const STAGES = ['llvm', 'opt', 'ptx'];
const compiler = new StagedCompiler<CudaPlan>('cuda', cache, STAGES);

export interface CompileRecord { kernel: string; origin: 'compiled' | 'cache'; arch: string; timings: Record<string, number> }
/** Recent compiles and cache loads of this process, newest last (benchmarks, diagnostics). */
export function compileRecords(): readonly CompileRecord[] {
  return compiler.compileRecords() as readonly CompileRecord[];
}

/** The arch to compile for: NUMBAT_CUDA_ARCH, else the GPU's (capped at sm_86), else sm_86 (always without a GPU in compile-only mode). */
export function targetArch(): string {
  if (process.env.NUMBAT_CUDA_ARCH || compileOnly()) return defaultArch();
  const p = probeGpu();
  return p.ok ? p.device.arch : defaultArch();
}

async function compileKernel(ir: KernelIR, opts: CompileOptions): Promise<CudaKernel> {
  const arch = targetArch();
  // An ahead-of-time run (NUMBAT_CUDA_AOT_OUT) always compiles, so every kernel lands in its directory.
  const aot = aotOutDir();
  // Compile-only mode caches every kernel: it exists to prepare them (runtime/compile-only.ts).
  const useCache = opts.cache || compileOnly();
  const lookup = mayLoadPrepared(opts.cache) ? loadableArchs(arch).map((a) => entryKey(opts.cacheKey, a)) : [];
  const dirs = [...(useCache ? [cacheDir()] : []), ...(aot ? [aot] : [])];
  let loaded = false;
  try {
    const out = await compiler.compile<CudaCompileState>({
      ir, lookup, describe: { arch },
      // (the key prints and hashes the IR: only made when something is stored or looked up)
      store: dirs.length ? { key: entryKey(opts.cacheKey, arch), dirs } : undefined,
      pipeline: async () => {
        if (llvmForbidden()) throw notPrepared(ir);
        const { CUDA_STAGES, cudaCompileState } = await import('./codegen/compile.js');
        loaded = true;
        return {
          stages: CUDA_STAGES,
          state: cudaCompileState(ir, { boundscheck: opts.boundscheck, fastmath: opts.fastmath, quick: opts.opt === false, arch, cacheDir: useCache ? cacheDir() : undefined, printTexts: dirs.length > 0 }),
          plan: (s) => s.built!.plan,
          payload: (s) => Buffer.from(s.ptx!, 'utf8'),
          dispose: (s) => s.nm?.dispose(),
        };
      },
    });
    noteKernel(ir, out.origin);
    if (out.origin === 'cache') return { ir, plan: out.plan, ptx: out.hit.payload.toString('utf8'), origin: 'cache', timings: out.timings, cacheEntry: out.cacheEntry };
    return { ir, plan: out.plan, ptx: out.state.ptx!, origin: 'compiled', timings: out.timings, texts: out.texts, cacheEntry: out.cacheEntry };
  } catch (e) {
    if (e instanceof CompileError) throw e;
    if (!loaded || /llvm-bindings|libLLVM|Cannot find module/.test((e as Error).message)) throw noCompiler(ir, e);
    throw e;
  }
}

/**
 * Whether a kernel is first looked up in the disk cache (cache: true, compile-only mode) or
 * a prepared PTX directory (NUMBAT_CUDA_PTX_DIR, or NUMBAT_CUDA_NO_LLVM's cache): never in an
 * ahead-of-time run (NUMBAT_CUDA_AOT_OUT), which compiles every kernel into its directory.
 */
function mayLoadPrepared(cache: boolean): boolean {
  return (cache || compileOnly() || !!process.env.NUMBAT_CUDA_PTX_DIR || llvmForbidden()) && !aotOutDir();
}

function noCompiler(ir: KernelIR, e: unknown): CompileError {
  return new CompileError('cuda compile',
    `compiling kernel '${ir.name}' for 'cuda' needs LLVM (the llvm-bindings package and libLLVM-14), which is not usable here: ${(e as Error).message.split('\n')[0]}. ` +
    'Compile it ahead of time on a machine with LLVM (cache: true, or numbat-cuda compile) and point NUMBAT_CUDA_PTX_DIR or NUMBAT_CACHE_DIR at that directory.',
    ir.name, ir.source);
}

function launcherOf(k: CudaKernel): Launcher {
  if (!k.launcher) {
    const g = gpu();
    const fn = loadKernelFunction(g, k.ptx, k.plan.entry, `the PTX of kernel '${k.plan.name}' (${k.plan.arch})`);
    k.launcher = new Launcher(g, fn, k.plan);
  }
  return k.launcher;
}

// core's cuda.stream()/cuda.event() on a GPU: driver streams and events.
const gpuStreams: BackendStreams = {
  createStream: () => new Stream(),
  synchronizeStream: (s) => (s as Stream).synchronize(),
  destroyStream: (s) => (s as Stream).destroy(),
  createEvent: (timing) => new Event(timing),
  recordEvent: (ev, s) => { (ev as Event).record(s as Stream | undefined); },
  synchronizeEvent: (ev) => (ev as Event).synchronize(),
  queryEvent: (ev) => (ev as Event).query(),
  elapsedMs: (a, b) => (a as Event).elapsedTime(b as Event),
  destroyEvent: (ev) => (ev as Event).destroy(),
};

export const backend: Backend = {
  target: 'cuda',
  caps: {
    f64: true, gridSync: true, fences: true, warp: 'native', i64: 'native', atomics64: true, vectorLoads: true,
    // With libdevice, the random library's f64 log, sin and cos (calls marked `ulp`) are libdevice's
    // (1, 2 and 2 ulp): a kernel of f64 normals compiles in a fifth of the time of core's V8-bit library.
    get native(): NativeOp[] { return ['math-erf-gamma', 'umulhi', 'narrow-store', ...(libdevicePath() ? ['math-f64-ulp' as const] : [])]; },
  },
  stages: STAGES,

  // A compile needs LLVM's libraries (~150 ms to load, @numbat/llvm's preload.ts): they load on
  // a background thread while core parses and lowers the kernel. Not where LLVM is forbidden
  // (NUMBAT_CUDA_NO_LLVM), nor where a cache or prepared PTX may serve the kernel: a hit needs no LLVM.
  prepare(opts) {
    if (!llvmForbidden() && !mayLoadPrepared(opts.cache)) void preloadLLVM();
  },

  // Placeholders in compile-only mode (nothing runs).
  get streams() {
    return compileOnly() ? placeholderStreams : gpuStreams;
  },

  async available() {
    if (compileOnly()) return { ok: true, device: COMPILE_ONLY_DEVICE, hardware: false, gridStrideBlocks: COMPILE_ONLY_GRID_STRIDE_BLOCKS };
    const p = probeGpu();
    return p.ok ? { ok: true, device: describeDevice(p.device), hardware: true, gridStrideBlocks: gridStrideBlocks(p.device) } : { ok: false, reason: p.reason };
  },

  async details() {
    if (compileOnly()) return { compileOnly: true, ptxArch: targetArch(), cacheDir: cacheDir() };
    const p = probeGpu();
    if (!p.ok) return {};
    const d = p.device;
    return {
      gpu: d.name, computeCapability: `${d.major}.${d.minor}`, ptxArch: d.arch, multiprocessors: d.multiprocessors,
      sharedPerBlock: d.sharedPerBlock, sharedPerBlockOptin: d.sharedPerBlockOptin, totalMemoryBytes: d.totalMemory,
      driverVersion: d.driverVersion, cacheDir: cacheDir(),
    };
  },

  async compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel> {
    try {
      return await compileKernel(ir, opts);
    } catch (e) {
      if (e instanceof CompileError) throw e;
      throw new CompileError('internal error', `numbat internal error in the cuda backend while compiling kernel '${ir.name}': ${(e as Error).message}`, ir.name, ir.source);
    }
  },

  async inspect(kernel: CompiledKernel, stage: string) {
    const k = kernel as CudaKernel;
    if (stage === 'ptx') return k.ptx;
    return compiler.inspect(k, stage);
  },

  async launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]) {
    if (compileOnly()) return; // compiled when specialised; nothing runs
    launcherOf(kernel as CudaKernel).launch(dims, args);
  },

  async alloc(elem: ElemType, length: number) {
    return compileOnly() ? new PlaceholderBuffer(elem, length) : allocBuffer(gpu(), elem, length, true);
  },
  async upload(buffer: unknown, data: TypedArray) {
    if (!compileOnly()) upload(gpu(), buffer, data);
  },
  async download(buffer: unknown, into: TypedArray) {
    if (!compileOnly()) download(gpu(), buffer, into);
  },
  free(buffer: unknown) {
    if (buffer instanceof DeviceBuffer) freeBuffer(gpu(), buffer);
  },
};

export { stream, event, Stream, Event } from './runtime/stream.js';
export { kernelRequests, type KernelRequest } from './runtime/compile-only.js';
export { DeviceBuffer } from './runtime/memory.js';
export { CudaError } from './driver/errors.js';
export { CUDA_MATH } from './codegen/math.js';
export { setDriverApiForTesting, type DeviceInfo } from './runtime/device.js';
export type { CudaApi } from './driver/libcuda.js';
export type { CudaPlan } from './codegen/abi.js';
