// KernelIR → PTX, in-process: build the kernel module with llvm-bindings
// (kernel.ts), move it to the C API's LLVM as text, link the helper module and
// (when a math function needs it) libdevice, verify, optimise with
// `default<O3>` (NVPTX adds NVVMReflect to that pipeline) and emit PTX. Every
// stage's text is kept for `inspect`. Only this file loads LLVM.

import { CompileError, forEachExpr, forEachStmt, stmtExprs, type KernelIR, type MathExpr } from '@numbat/core';
import { loadLLVM, NativeModule, type MathTable } from '@numbat/llvm';
import type { CudaPlan } from './abi.js';
import { exactFloatRem, FMOD } from './float-rem.js';
import { cudaHelperModule } from './helpers-ir.js';
import { buildCudaModule } from './kernel.js';
import { LIBDEVICE_MISSING_HINT, libdevicePath, libdeviceSubset } from './libdevice.js';
import { APPROX_F32, mathTable, MISSING } from './math.js';
import { nvptxSpec } from './target.js';

export interface PtxOptions {
  boundscheck: boolean;
  fastmath: boolean;
  /** sm_XX (at most sm_86 with LLVM 14). */
  arch: string;
  /** Where to keep trimmed libdevice subsets across processes (the kernel cache's directory). */
  cacheDir?: string;
}

export interface CompiledPtx {
  plan: CudaPlan;
  /** Kernel module with the helper module linked, before optimisation (libdevice not shown). */
  llvm: string;
  /** After libdevice linking and `default<O3>`. */
  opt: string;
  ptx: string;
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

/** Refuses math the target cannot compute (no libdevice), naming the call and its line. */
function checkMath(ir: KernelIR, table: MathTable, fastmath: boolean): void {
  const visit = (x: MathExpr): void => {
    const impl = table[x.fn];
    if (impl.kind !== 'extern') return;
    const name = x.type === 'f32' ? impl.f32 : x.type === 'f64' ? impl.f64 : undefined;
    if (name !== MISSING) return;
    const what = x.fn === FMOD ? 'the % operator' : `Math.${x.fn}`;
    const f32Only = APPROX_F32[x.fn] && x.type === 'f64' ? ` (with fastmath, f32 Math.${x.fn} would use the GPU's approximate instructions; f64 needs libdevice)` : '';
    const hint = !fastmath && APPROX_F32[x.fn] && x.type === 'f32' ? '; or compile with fastmath: true to use the approximate hardware instruction' : '';
    throw new CompileError(what, `${what} on ${x.type} needs libdevice on target 'cuda': ${LIBDEVICE_MISSING_HINT}${hint}${f32Only}`, ir.name, ir.source, x.loc);
  };
  forEachStmt(ir.body, (s) => {
    for (const e of stmtExprs(s)) forEachExpr(e, (x) => { if (x.kind === 'math') visit(x); });
  });
}

export function compileToPtx(source: KernelIR, o: PtxOptions): CompiledPtx {
  const ir = exactFloatRem(source);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => { const n = performance.now(); timings[name] = n - t; t = n; };
  const hasLibdevice = libdevicePath() !== undefined;
  const table = mathTable({ fastmath: o.fastmath, libdevice: hasLibdevice });
  checkMath(ir, table, o.fastmath);
  const llvm = loadLLVM();
  lap('load-llvm');
  const built = buildCudaModule(llvm, ir, { boundscheck: o.boundscheck, fastmath: o.fastmath, arch: o.arch, math: table });
  lap('codegen');
  const spec = nvptxSpec(o.arch);
  const nm = NativeModule.parse(built.text, ir.name);
  try {
    nm.link(cudaHelperModule({ plan: built.plan, arrays: ir.arrays, atomics: built.atomics.values(), ftz: o.fastmath, approx: o.fastmath && !hasLibdevice }), 'numbat-nvptx-helpers');
    const err = nm.verify();
    if (err) throw new Error(`numbat internal error: invalid LLVM module for kernel '${ir.name}': ${err}`);
    const before = nm.print();
    lap('link-verify');
    const nvNames = [...before.matchAll(/^declare [^\n]*@(__nv_\w+)\(/gm)].map((m) => m[1]);
    if (nvNames.length) {
      nm.link(libdeviceSubset(nvNames, spec, o.cacheDir), 'libdevice');
      lap('libdevice');
    }
    if (o.fastmath) {
      // NVPTX reads these: approximate div/sqrt, FMA contraction, f32 denormals flushed.
      nm.addStringAttribute(built.plan.entry, 'unsafe-fp-math', 'true');
      nm.addStringAttribute(built.plan.entry, 'denormal-fp-math-f32', 'preserve-sign,preserve-sign');
    }
    nm.setTarget(spec);
    nm.optimize(spec);
    const opt = nm.print();
    lap('optimize');
    const ptx = nm.emit(spec, 'asm').toString();
    lap('emit-ptx');
    return { plan: built.plan, llvm: before, opt, ptx, timings };
  } finally {
    nm.dispose();
  }
}
