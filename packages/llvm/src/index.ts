// @numbat/llvm: the target-independent half of numbat's LLVM backends
// (cpu and cuda). See README.md for the hooks contract.

export { loadLLVM, llvmBindingsLoaded, llvmBindingsProblem, type LLVM, type LLVMNS } from './bindings.js';
export { preloadLLVM, preloadLibraries, preloadPending, type Preload } from './preload.js';
export { capi, capiLoaded, hostCpu, llvmArgs, takeMessage, takeError, LIBLLVM_PATH, LLVM_VERSION, type CApi, type Ptr } from './capi.js';
export { NativeModule, targetMachine, type TargetSpec, type EmitKind } from './native.js';
export { POOL_STACK_BYTES } from './koffi-stack.js';
export { fittedPipeline, type FittedPipeline } from './passes.js';
export { bitcodeSymbols, moduleBytes, moduleText, type ModuleSymbols } from './bitcode.js';
export type { TargetHooks } from './hooks.js';
export { KernelLowerer, type LowerOptions, type LoopTargets } from './lower.js';
export { Emitter, elemTypeOf } from './emit.js';
export { LIBM_MATH, SINCOS_FNS, sincosPart, sincosWrapperIR, type MathTable, type MathImpl } from './math.js';
export { atomicHelperName, atomicHelperIR, fenceHelperIR, type AtomicHelperOptions, type AtomicUse } from './atomics.js';
export { allocaLocals } from './locals.js';
export { runStages, replayText, type Stage, type StageRun, type DeferredText } from './stages.js';
export { KernelCache, type CacheEntry, type EntryRef } from './kernel-cache.js';
export { StagedCompiler, type StagedKernel, type Pipeline, type CompileJob, type Compiled, type CompileRecord, type DeriveText } from './staged-compiler.js';
export { inlineMathExtra } from './math-extra.js';
