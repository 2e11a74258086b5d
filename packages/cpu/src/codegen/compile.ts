// KernelIR → optimised machine code for one target: build the module with
// llvm-bindings (kernel.ts), hand it to the C API's LLVM as text, link the
// helper module, verify, run `default<O2>` (or NUMBAT_CPU_PASSES) and emit an
// object. The texts of each stage are kept for `inspect`.

import type { KernelIR } from '@numbat/core';
import { loadLLVM } from '@numbat/llvm';
import { NativeModule, type TargetSpec } from '@numbat/llvm';
import type { KernelPlan } from './abi.js';
import { cpuHelperModule } from './helpers-ir.js';
import { buildCpuModule, type CpuCodegenOptions } from './kernel.js';

export interface CompiledObject {
  plan: KernelPlan;
  /** IR as generated, helpers linked, before optimisation. */
  llvm: string;
  /** IR after the optimisation pipeline (`default<O2>` unless NUMBAT_CPU_PASSES says otherwise). */
  opt: string;
  /** ELF relocatable object. */
  object: Buffer;
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

export function compileToObject(ir: KernelIR, opts: CpuCodegenOptions, target: TargetSpec): CompiledObject {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => { const n = performance.now(); timings[name] = n - t; t = n; };
  const llvm = loadLLVM();
  lap('load-llvm');
  const { text, plan, atomics } = buildCpuModule(llvm, ir, { ...opts, laneWidth: opts.laneWidth ?? laneWidthFor(target) });
  lap('codegen');
  const nm = NativeModule.parse(text, ir.name);
  try {
    nm.link(cpuHelperModule(atomics.values()), 'numbat-helpers');
    nm.setTarget(target);
    const err = nm.verify();
    if (err) throw new Error(`numbat internal error: invalid LLVM module for kernel '${ir.name}': ${err}`);
    const before = nm.print();
    lap('parse-link-verify');
    // O2: measured as fast as O3 on the bench kernels, at 60-70 % of O3's compile time (O3's extra unrolling mostly grows the code).
    nm.optimize(target, process.env.NUMBAT_CPU_PASSES ?? 'default<O2>');
    lap('optimize');
    const opt = nm.print();
    const object = nm.emit(target, 'obj');
    lap('emit');
    return { plan, llvm: before, opt, object, timings };
  } finally {
    nm.dispose();
  }
}

/**
 * Threads per lockstep lane group: 8 with AVX2 (8 × i32 / f32 per register),
 * 4 otherwise (SSE, NEON). NUMBAT_CPU_LANES overrides (1 = off).
 */
export function laneWidthFor(target: TargetSpec): number {
  const env = Number(process.env.NUMBAT_CPU_LANES);
  if (Number.isInteger(env) && env >= 1) return env;
  return /\+avx2\b/.test(target.features) ? 8 : 4;
}

/** Assembly of an optimised module's text (for inspect('asm'); not needed to run). */
export function assemblyOf(optText: string, target: TargetSpec): string {
  const nm = NativeModule.parse(optText, 'asm');
  try {
    return nm.emit(target, 'asm').toString();
  } finally {
    nm.dispose();
  }
}

