// KernelIR → PTX, in-process, as named stages (run by @numbat/llvm's runner,
// which times them and keeps each text for `inspect`): build the kernel module
// with llvm-bindings (kernel.ts), move it to the C API's LLVM as bitcode, link the
// helper module and verify ('llvm'), link libdevice when a math function needs
// it, optimise with the pipeline fitted to numbat's IR (CUDA_PASSES, or
// NUMBAT_CUDA_PASSES; 'opt') and emit PTX ('ptx'). Only this file loads LLVM. The 'llvm' and 'opt'
// texts are printed only when kept (a cache entry stores them), else made
// when inspect first asks, by running those stages again.

import { CompileError, forEachExpr, forEachStmt, stmtExprs, type KernelIR, type MathExpr } from '@numbat/core';
import { fittedPipeline, loadLLVM, NativeModule, replayText, SINCOS_FNS, type DeferredText, type LLVM, type MathTable, type Stage, type TargetSpec } from '@numbat/llvm';
import type { CudaPlan } from './abi.js';
import { cudaHelperModule } from './helpers-ir.js';
import { buildCudaModule } from './kernel.js';
import { LIBDEVICE_MISSING_HINT, libdevicePath, libdeviceSubset } from './libdevice.js';
import { APPROX_F32, mathTable, MISSING } from './math.js';
import { nvptxSpec, smOf } from './target.js';

export interface PtxOptions {
  boundscheck: boolean;
  fastmath: boolean;
  /** cuda.jit's `opt: false`: CUDA_QUICK_PASSES instead of CUDA_PASSES. */
  quick?: boolean;
  /** sm_XX (at most sm_86 with LLVM 14). */
  arch: string;
  /** Where to keep trimmed libdevice subsets across processes (the kernel cache's directory). */
  cacheDir?: string;
  /** Print the 'llvm' and 'opt' texts as the stages run (a cache entry stores them); else they are deferred. */
  printTexts?: boolean;
}

/**
 * The optimisation pipeline (@numbat/llvm's passes.ts): the PTX `default<O3>` made, at about a
 * tenth of its time (docs/backends/cuda.md). NVVMReflect first, as `default<O3>` has it for
 * NVPTX: libdevice's `__nvvm_reflect` branches fold before inlining. Then `sroa` and `early-cse`,
 * also before inlining: the sin and the cos of one angle call one `readnone` sincos twice
 * (@numbat/llvm SINCOS_FNS), and the two calls are one only while they are calls.
 */
export const CUDA_PASSES = fittedPipeline({ early: ['nvvm-reflect', 'sroa', 'early-cse'], unroll: true, slp: false });

/**
 * `opt: false` (a kernel compiled for latency): the locals to registers, common subexpressions
 * and one InstCombine, no loop passes, GVN or unrolling; ptxas still optimises the PTX. The
 * option-pricing kernel's `optimize` 19 → 7 ms, its PTX 863 → 795 lines (the rounds not unrolled).
 */
export const CUDA_QUICK_PASSES = "function(nvvm-reflect,sroa,early-cse),always-inline,function(sroa,early-cse<memssa>,simplifycfg,instcombine),globaldce"; // (the early two: sincos, as CUDA_PASSES)

/** What the stages pass on to each other. */
export interface CudaCompileState {
  /** The legalised kernel (float `%` arrives as a call of libdevice's exact fmod: core's 'float-rem' rule). */
  readonly ir: KernelIR;
  readonly o: PtxOptions;
  readonly table: MathTable;
  readonly hasLibdevice: boolean;
  readonly spec: TargetSpec;
  /** The kernel calls cuda.activemask() (the helper module then defines it). */
  readonly activemask: boolean;
  llvm?: LLVM;
  built?: ReturnType<typeof buildCudaModule>;
  nm?: NativeModule;
  /** `__nv_*` functions the linked module declares (libdevice links them). */
  nvNames?: string[];
  ptx?: string;
}

/** The state for one kernel; refuses math the target cannot compute before LLVM is loaded. */
export function cudaCompileState(ir: KernelIR, o: PtxOptions): CudaCompileState {
  const hasLibdevice = libdevicePath() !== undefined;
  const table = mathTable({ fastmath: o.fastmath, libdevice: hasLibdevice });
  checkMath(ir, table, o.fastmath);
  const { activemask } = checkWarp(ir, o.arch);
  return { ir, o, table, hasLibdevice, spec: nvptxSpec(o.arch), activemask };
}

export const CUDA_STAGES: readonly Stage<CudaCompileState>[] = [
  { name: 'load-llvm', run: (s) => { s.llvm = loadLLVM(); } },
  {
    name: 'codegen',
    run: (s) => { s.built = buildCudaModule(s.llvm!, s.ir, { boundscheck: s.o.boundscheck, fastmath: s.o.fastmath, arch: s.o.arch, math: s.table }); },
  },
  {
    // Kernel module with the helper module linked, before optimisation (libdevice not shown).
    name: 'link-verify', inspect: 'llvm',
    run: (s) => {
      const built = s.built!;
      const nm = (s.nm = NativeModule.parse(built.bytes, s.ir.name));
      const approx = s.o.fastmath && !s.hasLibdevice;
      const declared = new Set(nm.declaredFunctions());
      const sincos = (['f32', 'f64'] as const).filter((t) => declared.has(SINCOS_FNS[t]));
      nm.link(cudaHelperModule({ plan: built.plan, arrays: s.ir.arrays, atomics: built.atomics.values(), ftz: s.o.fastmath, approx, activemask: s.activemask, quads: built.quads, sincos }), 'numbat-nvptx-helpers');
      const err = nm.verify();
      if (err) throw new Error(`numbat internal error: invalid LLVM module for kernel '${s.ir.name}': ${err}`);
      s.nvNames = nm.declaredFunctions().filter((name) => name.startsWith('__nv_'));
      return s.o.printTexts ? nm.print() : replayLater(s, 'llvm');
    },
  },
  {
    name: 'libdevice',
    when: (s) => s.nvNames!.length > 0,
    run: (s) => { s.nm!.link(libdeviceSubset(s.nvNames!, s.spec, s.o.cacheDir), 'libdevice'); },
  },
  {
    // After libdevice linking and CUDA_PASSES.
    name: 'optimize', inspect: 'opt',
    run: (s) => {
      const nm = s.nm!;
      if (s.o.fastmath) {
        // NVPTX reads these: approximate div/sqrt, FMA contraction, f32 denormals flushed.
        nm.addStringAttribute(s.built!.plan.entry, 'unsafe-fp-math', 'true');
        nm.addStringAttribute(s.built!.plan.entry, 'denormal-fp-math-f32', 'preserve-sign,preserve-sign');
      }
      nm.setTarget(s.spec);
      nm.optimize(s.spec, process.env.NUMBAT_CUDA_PASSES || (s.o.quick ? CUDA_QUICK_PASSES : CUDA_PASSES));
      return s.o.printTexts ? nm.print() : replayLater(s, 'opt');
    },
  },
  { name: 'emit-ptx', inspect: 'ptx', run: (s) => (s.ptx = s.nm!.emit(s.spec, 'asm').toString()) },
];

/** A deferred text: the stages after codegen run again on the built module's text, up to the one that makes it. */
function replayLater(s: CudaCompileState, inspect: string): DeferredText {
  const { ir, o, table, hasLibdevice, spec, activemask, llvm, built } = s;
  const copy = (): CudaCompileState => ({ ir, o: { ...o, printTexts: true }, table, hasLibdevice, spec, activemask, llvm, built });
  return { deferred: () => replayText(`cuda kernel '${ir.name}'`, CUDA_STAGES, 'link-verify', inspect, copy(), (c) => c.nm?.dispose()) };
}

/** Refuses math the target cannot compute (no libdevice), naming the call and its line. */
function checkMath(ir: KernelIR, table: MathTable, fastmath: boolean): void {
  const visit = (x: MathExpr): void => {
    const impl = table[x.fn];
    if (impl.kind !== 'extern') return;
    const name = x.type === 'f32' ? impl.f32 : x.type === 'f64' ? impl.f64 : undefined;
    if (name !== MISSING) return;
    const what = x.fn === 'fmod' ? 'the % operator' : `Math.${x.fn}`;
    const f32Only = APPROX_F32[x.fn] && x.type === 'f64' ? ` (with fastmath, f32 Math.${x.fn} would use the GPU's approximate instructions; f64 needs libdevice)` : '';
    const hint = !fastmath && APPROX_F32[x.fn] && x.type === 'f32' ? '; or compile with fastmath: true to use the approximate hardware instruction' : '';
    throw new CompileError(what, `${what} on ${x.type} needs libdevice on target 'cuda': ${LIBDEVICE_MISSING_HINT}${hint}${f32Only}`, ir.name, ir.source, x.loc);
  };
  forEachStmt(ir.body, (s) => {
    for (const e of stmtExprs(s)) forEachExpr(e, (x) => { if (x.kind === 'math') visit(x); });
  });
}

/** Refuses match_*_sync below sm_70 (PTX match.sync needs it); says whether activemask is used. */
function checkWarp(ir: KernelIR, arch: string): { activemask: boolean } {
  let activemask = false;
  forEachStmt(ir.body, (s) => {
    if (s.kind !== 'warp') return;
    if (s.op === 'activemask') activemask = true;
    if ((s.op === 'match_any' || s.op === 'match_all') && smOf(arch) < 70) {
      const name = s.op === 'match_any' ? 'cuda.match_any_sync' : 'cuda.match_all_sync';
      throw new CompileError(`${name} on ${arch}`, `${name}() needs PTX match.sync, which needs sm_70 or newer; target 'cuda' compiles for ${arch} here`, ir.name, ir.source, s.loc);
    }
  });
  return { activemask };
}
