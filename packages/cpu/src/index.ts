// @numbat/cpu: target 'cpu'. Kernels are compiled by LLVM (in-process, via
// llvm-bindings + LLVM's C API) for the host CPU and run on all cores.
// Host memory is device memory: typed arrays are used in place, never copied.

import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { delimiter, join } from 'node:path';
import { CompileError, TYPED_ARRAY_OF } from '@numbat/core';
import type { Backend, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import type { KernelPlan } from './codegen/abi.js';
import { LIBLLVM_PATH } from './llvm/capi.js';
import { Launcher, workerCount } from './runtime/launch.js';
import { linkSharedLibrary, loadLibrary } from './runtime/loader.js';
import { cacheLookup, cacheStore, cacheTexts, entryKey } from './runtime/cache.js';

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

async function compileKernel(ir: KernelIR, opts: CompileOptions): Promise<CpuKernel> {
  const t0 = performance.now();
  const key = opts.cache ? entryKey(opts.cacheKey, opts.boundscheck) : undefined;
  if (key) {
    const hit = cacheLookup(key);
    if (hit) {
      try {
        const lib = loadLibrary(hit.soPath, hit.plan);
        return { ir, plan: hit.plan, launcher: new Launcher(lib.fn, hit.plan), origin: 'cache', timings: { load: performance.now() - t0 }, cacheKey: key };
      } catch {
        // an unloadable entry is rebuilt below
      }
    }
  }
  // The compiler (and with it llvm-bindings and libLLVM) loads only here.
  const { compileToObject } = await import('./codegen/compile.js');
  const { hostTarget } = await import('./codegen/target.js');
  const obj = compileToObject(ir, { boundscheck: opts.boundscheck }, hostTarget());
  let t = performance.now();
  const so = linkSharedLibrary(obj.object);
  const timings: Record<string, number> = { ...obj.timings, link: performance.now() - t };
  const texts = { llvm: obj.llvm, opt: obj.opt };
  // Load the freshly linked file, not the cache's copy: dlopen of a path this
  // process already opened would return the old mapping.
  if (key) cacheStore(key, so, obj.plan, texts);
  t = performance.now();
  const lib = loadLibrary(so, obj.plan);
  timings.load = performance.now() - t;
  timings.total = performance.now() - t0;
  return { ir, plan: obj.plan, launcher: new Launcher(lib.fn, obj.plan), origin: 'compiled', timings, texts, cacheKey: key };
}

export const backend: Backend = {
  target: 'cpu',
  supportsF64: true,
  stages: ['llvm', 'opt', 'asm'],

  async available() {
    if (!existsSync(LIBLLVM_PATH)) return { ok: false, reason: `LLVM 14's C API library is missing (${LIBLLVM_PATH}; Debian: apt install libllvm14)` };
    if (!onPath('ld') && !onPath('cc')) return { ok: false, reason: 'no linker (ld or cc) on PATH (Debian: apt install binutils)' };
    const model = cpus()[0]?.model ?? 'CPU';
    return { ok: true, device: `${model} (${workerCount()} workers)`, hardware: false };
  },

  async compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel> {
    try {
      return await compileKernel(ir, opts);
    } catch (e) {
      if (e instanceof CompileError) throw e;
      throw new CompileError('internal error', `numbat internal error in the cpu backend while compiling kernel '${ir.name}': ${(e as Error).message}`, ir.name, ir.source);
    }
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
    return new TYPED_ARRAY_OF[elem](length);
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
