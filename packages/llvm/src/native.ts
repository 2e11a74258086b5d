// A module in the C API's LLVM: parse text, link helper modules, fix up what
// llvm-bindings cannot express (function attributes, linkage), verify,
// optimise with the new pass manager and emit an object or assembly.

import koffi from 'koffi';
import { capi, takeError, takeMessage, type Ptr } from './capi.js';
import { finishOnPool, poolFinishAvailable, poolFinishState, type FinishJob } from './pool-finish.js';

export interface TargetSpec {
  triple: string;
  cpu: string;
  features: string;
  /** LLVMRelocMode: 0 default, 1 static, 2 PIC. */
  reloc?: number;
  /** LLVMCodeModel: 0 default. */
  codeModel?: number;
  /** LLVMCodeGenOptLevel 0..3. */
  optLevel?: number;
}

export type EmitKind = 'asm' | 'obj';

const machines = new Map<string, Ptr>();

/** This thread's target machine per spec, created once per process. */
export function targetMachine(spec: TargetSpec): Ptr {
  const key = JSON.stringify(spec);
  let tm = machines.get(key);
  if (!tm) machines.set(key, (tm = createTargetMachine(spec)));
  return tm;
}

/** A new target machine for `spec` (one thread uses it at a time: pool-finish.ts keeps its own). */
export function createTargetMachine(spec: TargetSpec): Ptr {
  const c = capi();
  const t: Ptr[] = [null], err: (string | null)[] = [null];
  if (c.GetTargetFromTriple(spec.triple, t, err)) throw new Error(`numbat: LLVM has no target for '${spec.triple}': ${err[0]}`);
  const tm = c.CreateTargetMachine(t[0], spec.triple, spec.cpu, spec.features, spec.optLevel ?? 3, spec.reloc ?? 2, spec.codeModel ?? 0);
  if (!tm) throw new Error(`numbat: could not create an LLVM target machine for ${spec.triple} (${spec.cpu})`);
  return tm;
}

export class NativeModule {
  private disposed = false;
  private constructor(readonly ctx: Ptr, public mod: Ptr) {}

  /** Parses textual IR (or bitcode) into a fresh context. */
  static parse(text: string | Buffer, name: string): NativeModule {
    const c = capi();
    const ctx = c.ContextCreate();
    const mod = parseInto(ctx, text, name);
    return new NativeModule(ctx, mod);
  }

  /**
   * A module finished (links, verify, optimise, emit an object) on libuv's thread
   * pool, the second core (pool-finish.ts), while this thread goes on; undefined
   * where this process cannot (koffi's async stack could not be raised): then the
   * caller finishes it. Parsing, links and verification are done here first.
   */
  static finishElsewhere(job: FinishJob): Promise<Buffer> | undefined {
    if (!poolFinishAvailable()) return undefined;
    let nm: NativeModule | undefined;
    try {
      nm = NativeModule.parse(job.bytes, job.name);
      for (const l of job.links) nm.link(l.text, l.name);
      nm.setTarget(job.target);
      const err = nm.verify();
      if (err) throw new Error(`numbat internal error: invalid LLVM module '${job.name}': ${err}`);
    } catch (e) {
      nm?.dispose();
      return Promise.reject(e);
    }
    return finishOnPool(nm, job);
  }

  /** Whether modules can be finished on the pool, the jobs in flight and how many have ended. */
  static poolFinishState(): { available: boolean; inFlight: number; jobs: number } {
    return poolFinishState();
  }

  /**
   * The definitions of `keep` (and what they use) from a bitcode library,
   * read lazily: only the function bodies linked in are ever parsed, so
   * taking a few functions from a large library (libdevice) costs little.
   */
  static subsetOfBitcode(bitcode: Buffer, keep: ReadonlySet<string>, name: string): NativeModule {
    const c = capi();
    const ctx = c.ContextCreate();
    const out = new NativeModule(ctx, c.ModuleCreateWithNameInContext(name, ctx));
    // The buffer must outlive the lazy module; LLVMGetBitcodeModuleInContext2 takes it over.
    const buf = c.CreateMemoryBufferWithMemoryRangeCopy(bitcode, bitcode.length, name);
    const lib: Ptr[] = [null];
    if (c.GetBitcodeModuleInContext2(ctx, buf, lib)) {
      out.dispose();
      throw new Error(`numbat internal error: LLVM could not read the bitcode of '${name}'`);
    }
    // Internal definitions are linked only when something linked uses them.
    for (let f = c.GetFirstFunction(lib[0]); f; f = c.GetNextFunction(f)) {
      if (!c.IsDeclaration(f) && !keep.has(c.GetValueName2(f, [0]))) c.SetLinkage(f, 8 /* LLVMInternalLinkage */);
    }
    if (c.LinkModules2(out.mod, lib[0])) {
      out.dispose();
      throw new Error(`numbat internal error: taking functions from '${name}' failed`);
    }
    return out;
  }

  /**
   * Links another module's text (or bitcode) into this one: its (external) definitions
   * satisfy our declarations, then become internal so they inline and vanish.
   */
  link(text: string | Buffer, name: string): void {
    const src = parseInto(this.ctx, text, name);
    const c = capi();
    const defined: string[] = [];
    for (let f = c.GetFirstFunction(src); f; f = c.GetNextFunction(f)) {
      if (!c.IsDeclaration(f)) defined.push(c.GetValueName2(f, [0]));
    }
    if (c.LinkModules2(this.mod, src)) throw new Error(`numbat internal error: linking helper module '${name}' failed`);
    for (const fn of defined) this.setLinkage(fn, 8 /* LLVMInternalLinkage */);
  }

  /** Adds enum attributes (e.g. 'alwaysinline', 'nounwind') to a function. */
  addFunctionAttributes(fnName: string, attrs: string[]): void {
    const c = capi();
    const fn = c.GetNamedFunction(this.mod, fnName);
    if (!fn) throw new Error(`numbat internal error: no function '${fnName}' in the module`);
    for (const a of attrs) {
      const kind = c.GetEnumAttributeKindForName(a, a.length);
      if (!kind) throw new Error(`numbat internal error: unknown LLVM attribute '${a}'`);
      c.AddAttributeAtIndex(fn, 0xffffffff, c.CreateEnumAttribute(this.ctx, kind, 0));
    }
  }

  /** Adds a string attribute ("key"="value") to a function. */
  addStringAttribute(fnName: string, key: string, value: string): void {
    const c = capi();
    const fn = c.GetNamedFunction(this.mod, fnName);
    if (!fn) throw new Error(`numbat internal error: no function '${fnName}' in the module`);
    c.AddAttributeAtIndex(fn, 0xffffffff, c.CreateStringAttribute(this.ctx, key, Buffer.byteLength(key), value, Buffer.byteLength(value)));
  }

  /** LLVMLinkage: 0 external, 8 internal, 9 private. */
  setLinkage(fnName: string, linkage: number): void {
    const c = capi();
    const fn = c.GetNamedFunction(this.mod, fnName);
    if (!fn) throw new Error(`numbat internal error: no function '${fnName}' in the module`);
    c.SetLinkage(fn, linkage);
  }

  /** Names of functions defined (not just declared) in the module. */
  definedFunctions(): string[] {
    const c = capi();
    const out: string[] = [];
    for (let f = c.GetFirstFunction(this.mod); f; f = c.GetNextFunction(f)) {
      if (!c.IsDeclaration(f)) out.push(c.GetValueName2(f, [0]));
    }
    return out;
  }

  /** Names of functions only declared in the module (to be defined by a linked helper module, or external). */
  declaredFunctions(): string[] {
    const c = capi();
    const out: string[] = [];
    for (let f = c.GetFirstFunction(this.mod); f; f = c.GetNextFunction(f)) {
      if (c.IsDeclaration(f)) out.push(c.GetValueName2(f, [0]));
    }
    return out;
  }

  setTarget(spec: TargetSpec): void {
    const c = capi();
    c.SetTarget(this.mod, spec.triple);
    const dl = c.CreateTargetDataLayout(targetMachine(spec));
    c.SetModuleDataLayout(this.mod, dl);
    c.DisposeTargetData(dl);
  }

  /** undefined when the module is valid, else LLVM's message. */
  verify(): string | undefined {
    const msg: Ptr[] = [null];
    const bad = capi().VerifyModule(this.mod, 2 /* LLVMReturnStatusAction */, msg);
    const text = takeMessage(msg[0]);
    return bad ? text || 'invalid module' : undefined;
  }

  /** Runs a new-pass-manager pipeline, e.g. 'default<O3>'. */
  optimize(spec: TargetSpec, passes = 'default<O3>', o: { vectorize?: boolean } = {}): void {
    const c = capi();
    const opts = passOptions(o.vectorize ?? true);
    const err = takeError(c.RunPasses(this.mod, passes, targetMachine(spec), opts));
    c.DisposePassBuilderOptions(opts);
    if (err) throw new Error(`numbat internal error: LLVM passes '${passes}' failed: ${err}`);
  }

  print(): string {
    return takeMessage(capi().PrintModuleToString(this.mod));
  }

  /** Emits assembly (text) or an object file (bytes). Does not consume the module. */
  emit(spec: TargetSpec, kind: EmitKind): Buffer {
    const c = capi();
    const err: (string | null)[] = [null], out: Ptr[] = [null];
    if (c.TargetMachineEmitToMemoryBuffer(targetMachine(spec), this.mod, kind === 'asm' ? 0 : 1, err, out)) {
      throw new Error(`numbat internal error: LLVM code generation failed: ${err[0]}`);
    }
    const size = c.GetBufferSize(out[0]);
    const bytes = Buffer.from(new Uint8Array(koffi.view(c.GetBufferStart(out[0]), size)));
    c.DisposeMemoryBuffer(out[0]);
    return bytes;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const c = capi();
    c.DisposeModule(this.mod);
    c.ContextDispose(this.ctx);
  }
}

function parseInto(ctx: Ptr, text: string | Buffer, name: string): Ptr {
  const c = capi();
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const buf = c.CreateMemoryBufferWithMemoryRangeCopy(bytes, bytes.length, name);
  const mod: Ptr[] = [null], msg: (string | null)[] = [null];
  // LLVMParseIRInContext takes ownership of the buffer.
  if (c.ParseIRInContext(ctx, buf, mod, msg)) throw new Error(`numbat internal error: LLVM could not parse module '${name}': ${msg[0]}`);
  return mod[0];
}

/** Pass builder options (the caller disposes them): vectorisation and interleaving as asked, unrolling on. */
export function passOptions(vectorize: boolean): Ptr {
  const c = capi();
  const opts = c.CreatePassBuilderOptions();
  c.PassBuilderOptionsSetLoopVectorization(opts, vectorize ? 1 : 0);
  c.PassBuilderOptionsSetSLPVectorization(opts, vectorize ? 1 : 0);
  c.PassBuilderOptionsSetLoopInterleaving(opts, vectorize ? 1 : 0);
  c.PassBuilderOptionsSetLoopUnrolling(opts, 1);
  return opts;
}
