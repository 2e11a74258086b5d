// koffi bindings to LLVM's C API in Debian's libLLVM-14.so.1. This is the
// optimiser and code emitter of both LLVM backends (cpu, cuda): llvm-bindings
// builds the IR, this parses it (a separate LLVM copy in the same process, so
// modules cross over as text), links helper modules, runs the new pass manager
// and emits objects or assembly to memory. Loaded on first use only: a process
// that runs cached kernels never maps the 100 MB library.

import koffi from 'koffi';
import './koffi-stack.js'; // before the first library is loaded (it raises koffi's async stack)

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
export const LIBLLVM_PATH = process.env.NUMBAT_LIBLLVM ?? `/usr/lib/${MULTIARCH[process.arch] ?? `${process.arch}-linux-gnu`}/libLLVM-14.so.1`;
/** Part of every cache key: code from another LLVM may differ. */
export const LLVM_VERSION = '14';

/** Opaque LLVM handles (LLVMContextRef, LLVMModuleRef, ...). */
export type Ptr = unknown;

export interface CApi {
  ContextCreate(): Ptr;
  ContextDispose(ctx: Ptr): void;
  CreateMemoryBufferWithMemoryRangeCopy(data: Buffer, len: number, name: string): Ptr;
  ParseIRInContext(ctx: Ptr, buf: Ptr, mod: Ptr[], msg: (string | null)[]): number;
  GetBitcodeModuleInContext2(ctx: Ptr, buf: Ptr, mod: Ptr[]): number;
  ModuleCreateWithNameInContext(name: string, ctx: Ptr): Ptr;
  LinkModules2(dest: Ptr, src: Ptr): number;
  VerifyModule(mod: Ptr, action: number, msg: Ptr[]): number;
  PrintModuleToString(mod: Ptr): Ptr;
  DisposeMessage(msg: Ptr): void;
  DisposeModule(mod: Ptr): void;
  GetNamedFunction(mod: Ptr, name: string): Ptr;
  GetFirstFunction(mod: Ptr): Ptr;
  GetNextFunction(fn: Ptr): Ptr;
  GetFirstGlobal(mod: Ptr): Ptr;
  GetNextGlobal(g: Ptr): Ptr;
  GetValueName2(v: Ptr, len: number[]): string;
  IsDeclaration(v: Ptr): number;
  SetLinkage(v: Ptr, linkage: number): void;
  GetEnumAttributeKindForName(name: string, len: number): number;
  CreateEnumAttribute(ctx: Ptr, kind: number, val: number): Ptr;
  CreateStringAttribute(ctx: Ptr, k: string, klen: number, v: string, vlen: number): Ptr;
  AddAttributeAtIndex(fn: Ptr, idx: number, attr: Ptr): void;
  SetTarget(mod: Ptr, triple: string): void;
  SetModuleDataLayout(mod: Ptr, dl: Ptr): void;
  CreateTargetDataLayout(tm: Ptr): Ptr;
  DisposeTargetData(dl: Ptr): void;
  GetTargetFromTriple(triple: string, t: Ptr[], err: (string | null)[]): number;
  CreateTargetMachine(t: Ptr, triple: string, cpu: string, feat: string, opt: number, reloc: number, model: number): Ptr;
  DisposeTargetMachine(tm: Ptr): void;
  RunPasses(mod: Ptr, passes: string, tm: Ptr, opts: Ptr): Ptr;
  CreatePassBuilderOptions(): Ptr;
  DisposePassBuilderOptions(o: Ptr): void;
  PassBuilderOptionsSetLoopVectorization(o: Ptr, v: number): void;
  PassBuilderOptionsSetSLPVectorization(o: Ptr, v: number): void;
  PassBuilderOptionsSetLoopUnrolling(o: Ptr, v: number): void;
  PassBuilderOptionsSetLoopInterleaving(o: Ptr, v: number): void;
  GetErrorMessage(err: Ptr): Ptr;
  TargetMachineEmitToMemoryBuffer(tm: Ptr, mod: Ptr, codegen: number, err: (string | null)[], out: Ptr[]): number;
  GetBufferStart(buf: Ptr): Ptr;
  GetBufferSize(buf: Ptr): number;
  DisposeMemoryBuffer(buf: Ptr): void;
  GetHostCPUName(): Ptr;
  GetHostCPUFeatures(): Ptr;
  GetDefaultTargetTriple(): Ptr;
  ParseCommandLineOptions(argc: number, argv: string[], overview: string | null): void;
  // ORC LLJIT (measured against cc -shared + dlopen, see runtime/loader.ts)
  OrcCreateLLJITBuilder(): Ptr;
  OrcCreateLLJIT(out: Ptr[], builder: Ptr): Ptr;
  OrcLLJITGetMainJITDylib(j: Ptr): Ptr;
  OrcLLJITGetGlobalPrefix(j: Ptr): number;
  OrcCreateDynamicLibrarySearchGeneratorForProcess(out: Ptr[], prefix: number, filter: Ptr, ctx: Ptr): Ptr;
  OrcJITDylibAddGenerator(jd: Ptr, gen: Ptr): void;
  OrcLLJITAddObjectFile(j: Ptr, jd: Ptr, buf: Ptr): Ptr;
  OrcLLJITLookup(j: Ptr, out: Ptr[], name: string): Ptr;
  OrcJITDylibCreateResourceTracker(jd: Ptr): Ptr;
  OrcLLJITAddObjectFileWithRT(j: Ptr, rt: Ptr, buf: Ptr): Ptr;
  OrcResourceTrackerRemove(rt: Ptr): Ptr;
  OrcReleaseResourceTracker(rt: Ptr): void;
  OrcLLJITGetExecutionSession(j: Ptr): Ptr;
  OrcExecutionSessionGetSymbolStringPool(es: Ptr): Ptr;
  OrcSymbolStringPoolClearDeadEntries(pool: Ptr): void;
}

const SIGNATURES: Record<keyof CApi, string> = {
  ContextCreate: 'void* LLVMContextCreate()',
  ContextDispose: 'void LLVMContextDispose(void* ctx)',
  CreateMemoryBufferWithMemoryRangeCopy: 'void* LLVMCreateMemoryBufferWithMemoryRangeCopy(const uint8_t* data, size_t len, const char* name)',
  ParseIRInContext: 'int LLVMParseIRInContext(void* ctx, void* buf, _Out_ void** mod, _Out_ char** msg)',
  GetBitcodeModuleInContext2: 'int LLVMGetBitcodeModuleInContext2(void* ctx, void* buf, _Out_ void** mod)',
  ModuleCreateWithNameInContext: 'void* LLVMModuleCreateWithNameInContext(const char* name, void* ctx)',
  LinkModules2: 'int LLVMLinkModules2(void* dest, void* src)',
  VerifyModule: 'int LLVMVerifyModule(void* mod, int action, _Out_ void** msg)',
  PrintModuleToString: 'void* LLVMPrintModuleToString(void* mod)',
  DisposeMessage: 'void LLVMDisposeMessage(void* msg)',
  DisposeModule: 'void LLVMDisposeModule(void* mod)',
  GetNamedFunction: 'void* LLVMGetNamedFunction(void* mod, const char* name)',
  GetFirstFunction: 'void* LLVMGetFirstFunction(void* mod)',
  GetNextFunction: 'void* LLVMGetNextFunction(void* fn)',
  GetFirstGlobal: 'void* LLVMGetFirstGlobal(void* mod)',
  GetNextGlobal: 'void* LLVMGetNextGlobal(void* g)',
  GetValueName2: 'const char* LLVMGetValueName2(void* v, _Out_ size_t* len)',
  IsDeclaration: 'int LLVMIsDeclaration(void* v)',
  SetLinkage: 'void LLVMSetLinkage(void* v, int linkage)',
  GetEnumAttributeKindForName: 'unsigned int LLVMGetEnumAttributeKindForName(const char* name, size_t len)',
  CreateEnumAttribute: 'void* LLVMCreateEnumAttribute(void* ctx, unsigned int kind, uint64_t val)',
  CreateStringAttribute: 'void* LLVMCreateStringAttribute(void* ctx, const char* k, unsigned int klen, const char* v, unsigned int vlen)',
  AddAttributeAtIndex: 'void LLVMAddAttributeAtIndex(void* fn, unsigned int idx, void* attr)',
  SetTarget: 'void LLVMSetTarget(void* mod, const char* triple)',
  SetModuleDataLayout: 'void LLVMSetModuleDataLayout(void* mod, void* dl)',
  CreateTargetDataLayout: 'void* LLVMCreateTargetDataLayout(void* tm)',
  DisposeTargetData: 'void LLVMDisposeTargetData(void* dl)',
  GetTargetFromTriple: 'int LLVMGetTargetFromTriple(const char* triple, _Out_ void** t, _Out_ char** err)',
  CreateTargetMachine: 'void* LLVMCreateTargetMachine(void* t, const char* triple, const char* cpu, const char* feat, int opt, int reloc, int model)',
  DisposeTargetMachine: 'void LLVMDisposeTargetMachine(void* tm)',
  RunPasses: 'void* LLVMRunPasses(void* mod, const char* passes, void* tm, void* opts)',
  CreatePassBuilderOptions: 'void* LLVMCreatePassBuilderOptions()',
  DisposePassBuilderOptions: 'void LLVMDisposePassBuilderOptions(void* o)',
  PassBuilderOptionsSetLoopVectorization: 'void LLVMPassBuilderOptionsSetLoopVectorization(void* o, int v)',
  PassBuilderOptionsSetSLPVectorization: 'void LLVMPassBuilderOptionsSetSLPVectorization(void* o, int v)',
  PassBuilderOptionsSetLoopUnrolling: 'void LLVMPassBuilderOptionsSetLoopUnrolling(void* o, int v)',
  PassBuilderOptionsSetLoopInterleaving: 'void LLVMPassBuilderOptionsSetLoopInterleaving(void* o, int v)',
  GetErrorMessage: 'void* LLVMGetErrorMessage(void* err)',
  TargetMachineEmitToMemoryBuffer: 'int LLVMTargetMachineEmitToMemoryBuffer(void* tm, void* mod, int codegen, _Out_ char** err, _Out_ void** out)',
  GetBufferStart: 'void* LLVMGetBufferStart(void* buf)',
  GetBufferSize: 'size_t LLVMGetBufferSize(void* buf)',
  DisposeMemoryBuffer: 'void LLVMDisposeMemoryBuffer(void* buf)',
  GetHostCPUName: 'void* LLVMGetHostCPUName()',
  GetHostCPUFeatures: 'void* LLVMGetHostCPUFeatures()',
  GetDefaultTargetTriple: 'void* LLVMGetDefaultTargetTriple()',
  ParseCommandLineOptions: 'void LLVMParseCommandLineOptions(int argc, const char** argv, const char* overview)',
  OrcCreateLLJITBuilder: 'void* LLVMOrcCreateLLJITBuilder()',
  OrcCreateLLJIT: 'void* LLVMOrcCreateLLJIT(_Out_ void** out, void* builder)',
  OrcLLJITGetMainJITDylib: 'void* LLVMOrcLLJITGetMainJITDylib(void* j)',
  OrcLLJITGetGlobalPrefix: 'char LLVMOrcLLJITGetGlobalPrefix(void* j)',
  OrcCreateDynamicLibrarySearchGeneratorForProcess: 'void* LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(_Out_ void** out, char prefix, void* filter, void* ctx)',
  OrcJITDylibAddGenerator: 'void LLVMOrcJITDylibAddGenerator(void* jd, void* gen)',
  OrcLLJITAddObjectFile: 'void* LLVMOrcLLJITAddObjectFile(void* j, void* jd, void* buf)',
  OrcLLJITLookup: 'void* LLVMOrcLLJITLookup(void* j, _Out_ void** out, const char* name)',
  OrcJITDylibCreateResourceTracker: 'void* LLVMOrcJITDylibCreateResourceTracker(void* jd)',
  OrcLLJITAddObjectFileWithRT: 'void* LLVMOrcLLJITAddObjectFileWithRT(void* j, void* rt, void* buf)',
  OrcResourceTrackerRemove: 'void* LLVMOrcResourceTrackerRemove(void* rt)',
  OrcReleaseResourceTracker: 'void LLVMOrcReleaseResourceTracker(void* rt)',
  OrcLLJITGetExecutionSession: 'void* LLVMOrcLLJITGetExecutionSession(void* j)',
  OrcExecutionSessionGetSymbolStringPool: 'void* LLVMOrcExecutionSessionGetSymbolStringPool(void* es)',
  OrcSymbolStringPoolClearDeadEntries: 'void LLVMOrcSymbolStringPoolClearDeadEntries(void* pool)',
};

const TARGET_INITS = ['X86', 'AArch64', 'NVPTX'];

let api: CApi | undefined;
let loadError: Error | undefined;
/** Whether capi() has loaded the library (preload.ts skips it then). */
export function capiLoaded(): boolean {
  return api !== undefined;
}

/** The C API, loaded and the targets initialised on first call. Throws if libLLVM-14 is missing. */
export function capi(): CApi {
  if (api) return api;
  if (loadError) throw loadError;
  try {
    const lib = koffi.load(LIBLLVM_PATH); // RTLD_NOW | RTLD_LOCAL, as preload.ts opens it
    const a: Record<string, unknown> = {};
    for (const [k, sig] of Object.entries(SIGNATURES)) a[k] = lib.func(sig);
    for (const t of TARGET_INITS) {
      for (const part of ['TargetInfo', 'Target', 'TargetMC', 'AsmPrinter']) {
        try { lib.func(`void LLVMInitialize${t}${part}()`)(); } catch { /* target not built in: its triples fail later with a clear message */ }
      }
    }
    api = a as unknown as CApi;
    const extra = llvmArgs(process.env.NUMBAT_LLVM_ARGS ?? '');
    if (extra.length) api.ParseCommandLineOptions(extra.length + 1, ['numbat', ...extra], null);
    return api;
  } catch (e) {
    loadError = new Error(`numbat: cannot load LLVM's C API from ${LIBLLVM_PATH}: ${(e as Error).message}`);
    throw loadError;
  }
}

/**
 * LLVM's options for this process: numbat's defaults, then NUMBAT_LLVM_ARGS (tuning, diagnosis:
 * e.g. '-slp-threshold=-4'). A default the variable names is left out (LLVM refuses an option given
 * twice: it prints "may only occur zero or one times" and goes on; its C API sends other errors,
 * such as an unknown option, to a null stream, so a misspelt option is ignored silently). On
 * x86-64 hosts the post-RA list scheduler is off: the cpu kernels ran
 * as fast without it (option pricing, normal and gamma draws, barrier option: within noise) and
 * the option-pricing kernel's entry point came out of the code generator 4–15 ms sooner (median
 * of 15 compiles, three alternated pairs: 58 → 55, 66 → 62, 65 → 49 ms); NVPTX never runs it.
 */
export function llvmArgs(env: string, arch: string = process.arch): string[] {
  const user = env.split(/\s+/).filter(Boolean);
  const named = (opt: string): boolean => user.some((a) => a.replace(/^--?/, '').split('=')[0] === opt);
  const defaults = arch === 'x64' && !named('post-RA-scheduler') ? ['-post-RA-scheduler=false'] : [];
  return [...defaults, ...user];
}

/** Reads and frees a char* the C API allocated. */
export function takeMessage(p: Ptr): string {
  if (!p) return '';
  const s = koffi.decode(p, 'char', -1) as string;
  capi().DisposeMessage(p);
  return s;
}

/** An LLVMErrorRef → message (consumes the error), or undefined on success. */
export function takeError(err: Ptr): string | undefined {
  if (!err) return undefined;
  return takeMessage(capi().GetErrorMessage(err));
}

export function hostCpu(): { name: string; features: string; triple: string } {
  const c = capi();
  return { name: takeMessage(c.GetHostCPUName()), features: takeMessage(c.GetHostCPUFeatures()), triple: takeMessage(c.GetDefaultTargetTriple()) };
}
