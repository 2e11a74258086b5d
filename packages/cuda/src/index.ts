// @numbat/cuda: target 'cuda'. Kernels are lowered to LLVM IR for NVPTX by the
// shared lowering of @numbat/cpu/llvm, turned into PTX in-process (LLVM's C
// API), and launched through the CUDA driver API (libcuda via koffi). The
// compiler loads only on a cache miss: with a prepared PTX cache a GPU machine
// runs kernels without LLVM installed.

import { CompileError } from '@numbat/core';
import type { Backend, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import type { CudaPlan } from './codegen/abi.js';
import { defaultArch, loadableArchs } from './codegen/target.js';
import { aotOutDir, cacheDir, cacheLookup, cacheStore, cacheTexts } from './runtime/cache.js';
import { describeDevice, gpu, gridStrideBlocks, probeGpu } from './runtime/device.js';
import { Launcher } from './runtime/launcher.js';
import { allocBuffer, DeviceBuffer, download, freeBuffer, upload } from './runtime/memory.js';
import { loadKernelFunction } from './runtime/module.js';
import { Event, Stream } from './runtime/stream.js';

export interface CudaKernel extends CompiledKernel {
  readonly plan: CudaPlan;
  readonly ptx: string;
  /** 'compiled' in this process, or read from the disk cache / a prepared PTX directory. */
  readonly origin: 'compiled' | 'cache';
  /** Milliseconds per step. */
  readonly timings: Record<string, number>;
  texts?: Record<string, string>;
  readonly cacheEntry?: { dir: string; key: string };
  launcher?: Launcher;
}

export interface CompileRecord { kernel: string; origin: 'compiled' | 'cache'; arch: string; timings: Record<string, number> }
const records: CompileRecord[] = [];
/** Recent compiles and cache loads of this process, newest last (benchmarks, diagnostics). */
export function compileRecords(): readonly CompileRecord[] {
  return records;
}
function record(k: CudaKernel): CudaKernel {
  records.push({ kernel: k.ir.name, origin: k.origin, arch: k.plan.arch, timings: k.timings });
  if (records.length > 100) records.shift();
  return k;
}

/** The arch to compile for: NUMBAT_CUDA_ARCH, else the GPU's (capped at sm_86), else sm_86. */
export function targetArch(): string {
  if (process.env.NUMBAT_CUDA_ARCH) return defaultArch();
  const p = probeGpu();
  return p.ok ? p.device.arch : defaultArch();
}

async function compileKernel(ir: KernelIR, opts: CompileOptions): Promise<CudaKernel> {
  const t0 = performance.now();
  const arch = targetArch();
  // An ahead-of-time run (NUMBAT_CUDA_AOT_OUT) always compiles, so every kernel lands in its directory.
  if ((opts.cache || process.env.NUMBAT_CUDA_PTX_DIR) && !aotOutDir()) {
    const hit = cacheLookup(opts.cacheKey, loadableArchs(arch));
    if (hit) return record({ ir, plan: hit.plan, ptx: hit.ptx, origin: 'cache', timings: { total: performance.now() - t0 }, cacheEntry: { dir: hit.dir, key: hit.key } });
  }
  let compiler: typeof import('./codegen/compile.js');
  try {
    compiler = await import('./codegen/compile.js');
  } catch (e) {
    throw noCompiler(ir, e);
  }
  let out: ReturnType<typeof compiler.compileToPtx>;
  try {
    out = compiler.compileToPtx(ir, { boundscheck: opts.boundscheck, fastmath: opts.fastmath, arch, cacheDir: opts.cache ? cacheDir() : undefined });
  } catch (e) {
    if (e instanceof CompileError) throw e;
    if (/llvm-bindings|libLLVM|Cannot find module/.test((e as Error).message)) throw noCompiler(ir, e);
    throw e;
  }
  const texts = { llvm: out.llvm, opt: out.opt, ptx: out.ptx };
  const cacheEntry = opts.cache ? cacheStore(opts.cacheKey, arch, out.ptx, out.plan, texts) : undefined;
  const aot = aotOutDir();
  if (aot) cacheStore(opts.cacheKey, arch, out.ptx, out.plan, texts, aot);
  const timings = { ...out.timings, total: performance.now() - t0 };
  return record({ ir, plan: out.plan, ptx: out.ptx, origin: 'compiled', timings, texts, cacheEntry });
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

export const backend: Backend = {
  target: 'cuda',
  caps: { f64: true, i64: 'native', atomics64: true },
  stages: ['llvm', 'opt', 'ptx'],

  // core's cuda.stream()/cuda.event() map onto driver streams and events.
  streams: {
    createStream: () => new Stream(),
    synchronizeStream: (s) => (s as Stream).synchronize(),
    destroyStream: (s) => (s as Stream).destroy(),
    createEvent: (timing) => new Event(timing),
    recordEvent: (ev, s) => { (ev as Event).record(s as Stream | undefined); },
    synchronizeEvent: (ev) => (ev as Event).synchronize(),
    queryEvent: (ev) => (ev as Event).query(),
    elapsedMs: (a, b) => (a as Event).elapsedTime(b as Event),
    destroyEvent: (ev) => (ev as Event).destroy(),
  },

  async available() {
    const p = probeGpu();
    return p.ok ? { ok: true, device: describeDevice(p.device), hardware: true, gridStrideBlocks: gridStrideBlocks(p.device) } : { ok: false, reason: p.reason };
  },

  async details() {
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
    k.texts ??= (k.cacheEntry ? cacheTexts(k.cacheEntry.dir, k.cacheEntry.key) : undefined) ?? {};
    const text = k.texts[stage];
    if (text === undefined) {
      if (stage === 'llvm' || stage === 'opt') throw new Error(`numbat: the cached kernel '${k.ir.name}' has no stored '${stage}' text; delete its cache entry to rebuild it`);
      throw new Error(`numbat: cuda has no stage '${stage}' (have: llvm, opt, ptx)`);
    }
    return text;
  },

  async launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]) {
    launcherOf(kernel as CudaKernel).launch(dims, args);
  },

  async alloc(elem: ElemType, length: number) {
    return allocBuffer(gpu(), elem, length, true);
  },
  async upload(buffer: unknown, data: TypedArray) {
    upload(gpu(), buffer, data);
  },
  async download(buffer: unknown, into: TypedArray) {
    download(gpu(), buffer, into);
  },
  free(buffer: unknown) {
    if (buffer instanceof DeviceBuffer) freeBuffer(gpu(), buffer);
  },
};

export { stream, event, Stream, Event } from './runtime/stream.js';
export { DeviceBuffer } from './runtime/memory.js';
export { CudaError } from './driver/errors.js';
export { CUDA_MATH } from './codegen/math.js';
export { setDriverApiForTesting, type DeviceInfo } from './runtime/device.js';
export type { CudaApi } from './driver/libcuda.js';
export type { CudaPlan } from './codegen/abi.js';
