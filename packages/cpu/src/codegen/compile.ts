// KernelIR → optimised machine code for one target, as named stages (run by
// @numbat/llvm's runner, which times them): load LLVM, build the module with
// llvm-bindings (kernel.ts), hand it to the C API's LLVM as bitcode, link the
// helper module (and the vector math kernels and lane moves the lane groups
// declared, lane-math-ir.ts, lane-moves-ir.ts) and verify ('llvm' text), run the pipeline
// fitted to numbat's IR (CPU_PASSES, or NUMBAT_CPU_PASSES; 'opt' text) and emit an object. The 'llvm' and 'opt'
// texts are printed only when kept (`printTexts`: a cache entry stores them),
// else made when inspect first asks, by running those stages again. A kernel
// built as two functions (kernel.ts, splitRegion) has its second module
// finished on libuv's thread pool (@numbat/llvm's pool-finish.ts) while this
// thread finishes the entry point's, two objects for the JIT; where the pool
// cannot take it, or a text is printed, the two modules are linked into one here.

import { log, logEnabled, type KernelIR } from '@numbat/core';
import { bitcodeSymbols, fittedPipeline, loadLLVM, NativeModule, replayText, runStages, SINCOS_FNS, type DeferredText, type LLVM, type Stage, type TargetSpec } from '@numbat/llvm';
import type { KernelPlan } from './abi.js';
import { cpuHelperModule } from './helpers-ir.js';
import { laneMathModule } from './lane-math-ir.js';
import { laneMovesModule } from './lane-moves-ir.js';
import { buildCpuModule, type AnalysedKernel, type CpuCodegenOptions, type CpuModule, type SplitPart } from './kernel.js';

export { analyseKernel } from './kernel.js';

/**
 * The optimisation pipeline (@numbat/llvm's passes.ts), measured against `default<O2>` on the
 * bench kernels: the same throughput within noise, `optimize` in about a third of the time and
 * `emit` in three quarters (less code: the Philox rounds stay a loop; docs/backends/cpu.md).
 * `sroa` and `early-cse` first, before inlining: a sin and a cos of one argument call one
 * `readnone` kernel twice (lane-math.ts), and the two calls are one only while they are calls.
 */
export const CPU_PASSES = fittedPipeline({ early: ['sroa', 'early-cse'], unroll: false, slp: true });

/** What the stages pass on to each other. */
export interface CpuCompileState {
  readonly ir: KernelIR;
  readonly opts: CpuCodegenOptions;
  readonly target: TargetSpec;
  /** Print the 'llvm' and 'opt' texts as the stages run (a cache entry stores them); else they are deferred. */
  readonly printTexts?: boolean;
  /** The kernel's analyses, when made before LLVM was loaded (kernel.ts analyseKernel); else codegen makes them. */
  readonly analysed?: AnalysedKernel;
  llvm?: LLVM;
  /** The optimisation pipeline, fixed at the first run (a replay uses the same). */
  passes?: string;
  built?: CpuModule;
  /** The module finished on this thread: the kernel's, or a split kernel's entry point when its second function is finished `elsewhere`. */
  nm?: NativeModule;
  /** A split kernel's other module's object, being made on libuv's thread pool (the second core). */
  elsewhere?: Promise<Buffer>;
  /** Which of the two that is (kernel.ts buildCpuModule hands off the larger to finish). */
  elsewherePart?: SplitPart;
  /** Resolves once the pool's job has gone from LLVM's passes to its code generator (or failed). */
  elsewherePassed?: Promise<void>;
  /** ELF relocatable object with the entry point. */
  object?: Buffer;
  /** A split kernel's second object (its rest function), when the two were emitted on two threads (either here): the JIT loads both. */
  restObject?: Buffer;
}

export const CPU_STAGES: readonly Stage<CpuCompileState>[] = [
  {
    name: 'load-llvm',
    run: (s) => {
      s.llvm = loadLLVM();
    },
  },
  {
    name: 'codegen',
    run: (s) => {
      // A kernel built as two functions (kernel.ts) sends one, as soon as it is built, to the
      // thread pool, which finishes it while this thread builds and finishes the other. Not
      // when the texts are printed (a cache entry): then the two are linked into one module here,
      // as they are when inspect makes the texts later (the same texts either way).
      const opts = { ...s.opts, laneWidth: s.opts.laneWidth ?? laneWidthFor(s.target), split: true };
      const t0 = performance.now();
      s.built = buildCpuModule(s.llvm!, s.analysed ?? s.ir, opts, s.printTexts ? undefined : (first, part) => {
        s.elsewhere = finishElsewhere(s, first, part);
        if (s.elsewhere) s.elsewherePart = part;
        // (the compile's critical path: what comes before this, then the pool's job)
        if (s.elsewhere && logEnabled('debug')) log('debug', `cpu kernel '${s.ir.name}': ${part === 'rest' ? 'second function' : 'entry point'} handed to the thread pool ${(performance.now() - t0).toFixed(1)} ms into codegen`);
      });
    },
  },
  {
    name: 'parse-link-verify', inspect: 'llvm',
    run: (s) => {
      const { built } = s;
      // Here: the kernel's module (a split kernel's two linked into one, when the pool could not
      // take one, or for a text), or the one of the two not being finished elsewhere.
      const parts = !built!.rest ? [built!] : !s.elsewhere ? [built!, built!.rest] : s.elsewherePart === 'main' ? [built!.rest] : [built!];
      const nm = (s.nm = NativeModule.parse(parts[0].bytes, s.ir.name));
      if (parts[1]) nm.link(parts[1].bytes, `${s.ir.name}.rest`);
      const declared = nm.declaredFunctions(); // the kernel's own (the helpers declare no lane math)
      nm.link(helpersText(parts.map((p) => p.atomics), !!built!.plan.gridSync, declared), 'numbat-helpers');
      for (const l of laneLinks(declared)) nm.link(l.text, l.name);
      nm.setTarget(s.target);
      const err = nm.verify();
      if (err) throw new Error(`numbat internal error: invalid LLVM module for kernel '${s.ir.name}': ${err}`);
      return s.printTexts ? nm.print() : replayLater(s, 'llvm');
    },
  },
  {
    name: 'optimize', inspect: 'opt',
    run: (s) => {
      const optimize = () => {
        s.nm!.optimize(s.target, passesOf(s));
        return s.printTexts ? s.nm!.print() : replayLater(s, 'opt');
      };
      // The entry point on the pool is the compile's longest path: this thread, finishing the
      // smaller second function, lets the pool's passes hand over to its code generator first
      // (that step waits for a turn of the event loop, which this thread's work would delay).
      return s.elsewherePart === 'main' && s.elsewherePassed ? s.elsewherePassed.then(optimize) : optimize();
    },
  },
  {
    name: 'emit',
    run: (s) => {
      const t = performance.now();
      const here = s.nm!.emit(s.target, 'obj');
      const emitted = performance.now();
      const entryHere = s.elsewherePart !== 'main';
      if (entryHere) s.object = here; else s.restObject = here;
      return s.elsewhere?.then((o) => {
        if (entryHere) s.restObject = o; else s.object = o;
        if (logEnabled('debug')) log('debug', `cpu kernel '${s.ir.name}': ${entryHere ? 'entry point' : 'second function'} emitted in ${(emitted - t).toFixed(1)} ms, then ${(performance.now() - emitted).toFixed(1)} ms waiting for the ${entryHere ? "second function's" : "entry point's"} object`);
      });
    },
  },
];

const passesOf = (s: CpuCompileState): string => (s.passes ??= process.env.NUMBAT_CPU_PASSES || CPU_PASSES);

/** The runtime helpers a module built by kernel.ts links first, for the atomics its parts use and the helpers it `declared`. */
function helpersText(atomics: readonly CpuModule['atomics'][], gridSync: boolean, declared: readonly string[]): string {
  return cpuHelperModule(new Map(atomics.flatMap((a) => [...a])).values(), gridSync, declared.includes(SINCOS_FNS.f32));
}

/** Then the vector math kernels and lane moves it `declared`. */
function laneLinks(declared: readonly string[]): { text: string; name: string }[] {
  return [{ text: laneMathModule(declared), name: 'numbat-lane-math' }, { text: laneMovesModule(declared), name: 'numbat-lane-moves' }].filter((l) => l.text);
}

/** One of a split kernel's two modules to the thread pool: its object to come, or undefined (the pool cannot take it: finished here). */
function finishElsewhere(s: CpuCompileState, m: CpuModule, part: SplitPart): Promise<Buffer> | undefined {
  if (!Buffer.isBuffer(m.bytes) || !NativeModule.poolFinishState().available) return undefined;
  const bytes = m.bytes;
  // What the module declares, with the helpers linked: its own declarations (the helpers declare no lane math).
  const declared = m.declared ?? bitcodeSymbols(bytes).declared;
  const links = [{ text: helpersText([m.atomics], !!m.plan.gridSync, declared), name: 'numbat-helpers' }, ...laneLinks(declared)];
  let passed!: () => void;
  s.elsewherePassed = new Promise<void>((resolve) => { passed = resolve; });
  const p = NativeModule.finishElsewhere({ bytes, name: `${s.ir.name}.${part === 'rest' ? 'rest' : 'entry'}`, links, target: s.target, passes: passesOf(s), onPassesDone: passed });
  // (A job refused before the pool took it never reaches its passes.)
  p?.catch(() => passed()); // and the failure is awaited by the emit stage, unless an earlier stage failed
  if (!p) passed();
  return p;
}

/** A deferred text: the stages after codegen run again on the built module's text, up to the one that makes it. */
function replayLater(s: CpuCompileState, inspect: string): DeferredText {
  const { ir, opts, target, llvm, built, passes } = s;
  return { deferred: () => replayText(`cpu kernel '${ir.name}'`, CPU_STAGES, 'parse-link-verify', inspect, { ir, opts, target, llvm, built, passes, printTexts: true }, (c) => c.nm?.dispose()) };
}

export interface CompiledObject {
  plan: KernelPlan;
  /** IR as generated, helpers linked, before optimisation. */
  llvm: string;
  /** IR after the optimisation pipeline (CPU_PASSES unless NUMBAT_CPU_PASSES says otherwise). */
  opt: string;
  /** ELF relocatable object. */
  object: Buffer;
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

/** The stages run on their own (tests; the backend runs them through its StagedCompiler). */
export function compileToObject(ir: KernelIR, opts: CpuCodegenOptions, target: TargetSpec): CompiledObject {
  const s: CpuCompileState = { ir, opts, target, printTexts: true };
  try {
    const { timings, texts } = runStages(`cpu kernel '${ir.name}'`, CPU_STAGES, s);
    return { plan: s.built!.plan, llvm: texts.llvm, opt: texts.opt, object: s.object!, timings };
  } finally {
    s.nm?.dispose();
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

