// cuda.jit: a kernel object that specialises on its arguments' types at the
// first call, compiles through frontend → IR passes → backend, caches each
// specialisation, and launches with implicit copy-in/copy-out of host arrays.

import type { Backend, CompiledKernel, LaunchArg, LaunchDims, Target } from './backend.js';
import { loadBackend } from './backend.js';
import { CompileError, LaunchError } from './errors.js';
import { checkLaunchLimits, checkMemoryLimits } from './limits.js';
import { checkJit, checkOptions } from './options.js';
import { DeviceArray, ordered } from './device-array.js';
import { DeviceFunction } from './device-function.js';
import { withBindings, type RecordedSource } from './recorded-source.js';
import { callerFile, parseFunction, type ParsedFunction } from './frontend/source.js';
import { lowerKernel } from './frontend/lower.js';
import { foldConstants } from './ir/fold.js';
import { checkBarriers, verifyIR } from './ir/verify.js';
import { prepareWarps } from './ir/warp-emulation.js';
import { printIR } from './ir/print.js';
import { legalize } from './legalize/index.js';
import type { KernelIR } from './ir/nodes.js';
import { hashString } from './hash.js';
import { log, logEnabled, ms } from './log.js';
import { noteLaunchBackend, Stream } from './stream.js';
import { resolveTarget, usableBackend } from './targets.js';
import { NdArray } from './ndarray.js';
import { logBuffers, printLog } from './console-log.js';
import { DTYPE_NAMES, elemTypeOfTypedArray, is64, isDType, paramTypeKey, type ParamType, type ScalarType } from './types.js';
import { refuseMissingCaps } from './ir/missing-caps.js';

export interface JitOptions {
  /** A registered target, or 'auto' (default): the available one of highest priority (cuda, else hardware webgpu, else cpu, else sim). NUMBAT_TARGET overrides 'auto'. */
  target?: Target | 'auto';
  /** Free names the kernel may use: device functions, numbers (frozen), small constant arrays. */
  globals?: Record<string, unknown>;
  /** Explicit parameter types ('f32', 'i32', 'f32[]', …): compiles eagerly for these only. */
  signature?: (string | { __dtype: string })[];
  /** A device function: callable from kernels, returns a value. */
  device?: boolean;
  /** Default float for non-integer numbers and int/int division. */
  float?: 'f32' | 'f64';
  /** Persist compiled code on disk (cpu, cuda). */
  cache?: boolean;
  /** Bounds checks on every array access (default true; the simulator always checks). */
  boundscheck?: boolean;
  /** Allow faster, less exact math (cuda: approximate intrinsics). */
  fastmath?: boolean;
  /**
   * Optimise the kernel's code (default true). false compiles faster and runs slower, for a
   * kernel launched once on little data: cpu runs the threads one at a time instead of in SIMD
   * lane groups, cuda shortens LLVM's pipeline before PTX; sim and webgpu are unchanged. Results
   * are the same either way, up to the last-bit differences docs/language.md allows between targets.
   */
  opt?: boolean;
  /** Written by numbat's bundler plugins (`@numbat/core/build`), not by hand: the function's original source and bindings. */
  source?: RecordedSource;
}

export type Dim = number | [number] | [number, number] | [number, number, number];
/**
 * `stream`: a `cuda.stream()` (any target), or a backend's own stream object (passed through).
 * `signal` / `timeout` (ms): a way out of a launch that runs too long; the launch rejects with a
 * LaunchError when the signal aborts or the timeout (counted from the call) passes. Targets stop
 * at their own granularity (docs/language.md); every target refuses a launch whose signal has
 * already aborted.
 */
export interface LaunchOptions { sharedMem?: number; stream?: Stream | unknown; signal?: AbortSignal; timeout?: number }

/** `ir` as lowered (printed by inspect('ir'), hashed into the cache key); `legal` as the backend got it (inspect('ir-legal')). */
interface Specialisation { backend: Backend; compiled: CompiledKernel; ir: KernelIR; legal: KernelIR }

export class Kernel<F extends (...args: any[]) => void = (...args: any[]) => void> {
  private parsed?: ParsedFunction;
  private mergedGlobals?: Record<string, unknown>;
  private readonly site: { file?: string; line?: number };
  private readonly specs = new Map<string, Promise<Specialisation>>();
  private readonly fixedSignature?: ParamType[];
  readonly name: string;

  constructor(readonly fn: F, readonly options: JitOptions = {}) {
    checkJit(fn, options);
    this.site = callerFile();
    this.name = fn.name || 'kernel';
    if (options.signature) {
      this.fixedSignature = options.signature.map((s, i) => parseSignatureEntry(s, i, this.name));
      const sig = this.fixedSignature;
      // Eager compile; errors surface on first use, not as an unhandled rejection.
      this.specialise(sig).catch(() => {});
    }
  }

  /** numba's kernel[griddim, blockdim]: returns the launcher. */
  configure(grid: Dim, block: Dim, launch: LaunchOptions = {}): (...args: Parameters<F>) => Promise<void> {
    checkOptions(`launch options of kernel '${this.name}'`, launch, ['sharedMem', 'stream', 'signal', 'timeout']);
    launch ??= {};
    const dims: LaunchDims = { grid: dim3(grid, 'grid'), block: dim3(block, 'block'), sharedMem: launch.sharedMem ?? 0, stream: launch.stream };
    if (!Number.isInteger(dims.sharedMem) || dims.sharedMem < 0) throw new RangeError(`sharedMem must be a non-negative integer number of bytes`);
    checkLaunchLimits(this.name, dims);
    const { signal, timeout } = launch;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`numbat: the launch option 'signal' of kernel '${this.name}' must be an AbortSignal`);
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && timeout <= 0x7fffffff)) throw new RangeError(`numbat: the launch option 'timeout' of kernel '${this.name}' must be a number of milliseconds (0 to 2^31-1), got ${String(timeout)}`);
    if (signal === undefined && timeout === undefined) return (...args: Parameters<F>) => this.launch(dims, args);
    return (...args: Parameters<F>) => {
      // The timeout counts from the call, so each call gets its own timer.
      const sigs = [signal, timeout !== undefined ? AbortSignal.timeout(timeout) : undefined].filter((x): x is AbortSignal => x !== undefined);
      const s = sigs.length === 1 ? sigs[0] : anySignal(sigs);
      if (s.aborted) return Promise.reject(abortedError(this.name, s));
      return this.launch({ ...dims, signal: s }, args);
    };
  }

  /** Compile for the sample arguments' signature (no launch) and return a stage's text. */
  async inspect(stage: string, ...args: unknown[]): Promise<string> {
    const spec = await this.specialise(this.signatureOf(args, await this.backend()));
    if (stage === 'ir') return printIR(spec.ir);
    if (stage === 'ir-legal') return printIR(spec.legal);
    if (!spec.backend.stages.includes(stage)) {
      throw new Error(`numbat: stage '${stage}' does not exist for target '${spec.backend.target}' (have: ir, ir-legal, ${spec.backend.stages.join(', ')})`);
    }
    return spec.backend.inspect(spec.compiled, stage);
  }

  /** The target this kernel runs on (after 'auto' resolution). */
  async target(): Promise<Target> {
    return resolveTarget(this.options.target);
  }

  private async backend(): Promise<Backend> {
    return loadBackend(await this.target());
  }

  private launch(dims: LaunchDims, args: unknown[]): Promise<void> {
    // The launch takes its place now in the order of every device array it uses
    // (device-array.ts): it runs after what was issued on them before, and
    // copies or free() issued after it wait for it, even while it compiles.
    const arrays: DeviceArray[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = unwrapNd(args[i]);
      if (!(a instanceof DeviceArray)) continue;
      if (a.isFreed) return Promise.reject(new Error(`numbat: argument ${i + 1} of kernel '${this.name}' is ${a.describe()} that was freed`));
      if (!arrays.includes(a)) arrays.push(a);
    }
    const stream = dims.stream;
    if (stream instanceof Stream) {
      // The stream takes its place in the queue now; compiling may finish later.
      return ordered(arrays, (after) => stream.enqueue(this.prepare(dims, args).then((p) => ({
        backend: p.backend,
        run: (native: unknown) => this.after(after, () => this.dispatch(p.backend, p.spec, { ...dims, stream: native }, p.args)),
      }))));
    }
    return ordered(arrays, (after) => {
      // Fast path: the same signature as the previous launch, compiled, device arrays settled
      // and idle: no awaits between the call and the backend's launch.
      if (!after) {
        const fast = this.fastPrepare(args);
        if (fast instanceof Error) return Promise.reject(fast);
        if (fast) return this.dispatch(fast.backend, fast.spec, dims, fast.args);
      }
      return this.prepare(dims, args).then((p) => this.after(after, () => this.dispatch(p.backend, p.spec, dims, p.args)));
    });
  }

  /** f now, or once `after` (earlier operations on the launch's device arrays) has settled. */
  private after(after: Promise<unknown> | undefined, f: () => Promise<void>): Promise<void> {
    return after ? after.then(f) : f();
  }

  private lastLaunch?: { key: string; target: Target; backend: Backend; spec: Specialisation };

  private fastPrepare(args: unknown[]): { backend: Backend; spec: Specialisation; args: LaunchArg[] } | Error | undefined {
    const last = this.lastLaunch;
    if (!last) return undefined;
    try {
      const sig = this.signatureOf(args, last.backend);
      if (sig.map(paramTypeKey).join(',') !== last.key) return undefined;
      const launchArgs = this.launchArgs(args, sig, last.target, true);
      return launchArgs && { backend: last.backend, spec: last.spec, args: launchArgs };
    } catch (e) {
      return e as Error;
    }
  }

  private async prepare(_dims: LaunchDims, args: unknown[]): Promise<{ backend: Backend; spec: Specialisation; args: LaunchArg[] }> {
    const fast = this.fastPrepare(args);
    if (fast instanceof Error) throw fast;
    if (fast) return fast;
    const target = await this.target();
    const backend = await usableBackend(target);
    const sig = this.signatureOf(args, backend);
    const spec = await this.specialise(sig);
    const failed: string[] = [];
    for (const [i, a] of args.map(unwrapNd).entries()) if (a instanceof DeviceArray) await a.ready.catch((e: Error) => { failed[i] = e.message; });
    const launchArgs = this.launchArgs(args, sig, target, false, failed)!;
    this.lastLaunch = { key: sig.map(paramTypeKey).join(','), target, backend, spec };
    return { backend, spec, args: launchArgs };
  }

  /** The backend's view of the arguments; undefined (sync mode) when a device array is still being created. */
  private launchArgs(args: unknown[], sig: ParamType[], target: Target, sync: boolean, failed: string[] = []): LaunchArg[] | undefined {
    const launchArgs: LaunchArg[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = unwrapNd(args[i]), p = sig[i];
      if (p.kind === 'scalar') launchArgs.push({ kind: 'scalar', type: p.type, value: a as number | boolean });
      else if (a instanceof DeviceArray) {
        // Freed arrays are refused when the launch is issued (launch); a free() issued later runs after it.
        const r = a.resolved;
        if (!r) {
          if (sync) return undefined;
          throw new Error(`numbat: argument ${i + 1} of kernel '${this.name}' is a device array whose creation failed${failed[i] ? `: ${failed[i]}` : ''}`);
        }
        if (r.target !== target) throw new Error(`numbat: argument ${i + 1} of kernel '${this.name}' is a device array on '${r.target}', but the kernel runs on '${target}'`);
        launchArgs.push({ kind: 'array', elem: p.elem, length: a.length, buffer: r.buffer });
      } else launchArgs.push({ kind: 'array', elem: p.elem, length: (a as ArrayLike<number>).length, host: a as any });
    }
    return launchArgs;
  }

  private dispatch(backend: Backend, spec: Specialisation, dims: LaunchDims, args: LaunchArg[]): Promise<void> {
    noteLaunchBackend(backend);
    // Aborted while compiling or waiting in a stream: never start.
    if (dims.signal?.aborted) return Promise.reject(abortedError(this.name, dims.signal));
    try {
      if (!spec.ir.log) return backend.launch(spec.compiled, dims, args);
      // console.log: fresh log buffers as the hidden last arguments, printed once the launch has finished.
      const log = logBuffers(spec.ir);
      return backend.launch(spec.compiled, dims, [...args, ...log.args]).then(() => printLog(spec.ir, log.buffers, dims.grid, dims.block));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private signatureOf(args: unknown[], backend: Backend): ParamType[] {
    const float = this.defaultFloat(backend);
    const sig = args.map((a, i) => argType(a, i, this.name, float));
    if (this.fixedSignature) {
      const want = this.fixedSignature.map(paramTypeKey).join(', ');
      const got = sig.map(paramTypeKey).join(', ');
      const compatible = sig.length === this.fixedSignature.length && sig.every((t, i) => {
        const f = this.fixedSignature![i];
        // A BigInt argument for an i64/u64 parameter, a number or boolean for the others (JS never converts between them).
        return t.kind === f.kind && (t.kind === 'array' ? t.elem === (f as { elem: string }).elem && !t.shape : is64(t.type) === is64((f as { type: ScalarType }).type));
      });
      if (!compatible) throw new TypeError(`numbat: kernel '${this.name}' was compiled for (${want}) and cannot take (${got})`);
      return this.fixedSignature;
    }
    return sig;
  }

  private defaultFloat(backend: Backend): 'f32' | 'f64' {
    if (this.options.float === 'f64' && !backend.caps.f64) {
      throw new CompileError("float: 'f64'", `kernel '${this.name}' asks for float: 'f64', but target '${backend.target}' has no f64 (WGSL); use float: 'f32'`, this.name);
    }
    return this.options.float ?? (backend.caps.f64 ? 'f64' : 'f32');
  }

  private specialise(sig: ParamType[]): Promise<Specialisation> {
    const key = sig.map(paramTypeKey).join(',');
    let p = this.specs.get(key);
    if (p && logEnabled('debug')) log('debug', `kernel '${this.name}' (${key}): specialisation cache hit`);
    if (!p) {
      p = this.compile(sig);
      this.specs.set(key, p);
      p.catch(() => this.specs.delete(key)); // a failed compile is retried (and re-reported) next time
    }
    return p;
  }

  private async compile(sig: ParamType[]): Promise<Specialisation> {
    const t0 = performance.now();
    const backend = await this.backend();
    try { backend.prepare?.({ cache: this.options.cache ?? false }); } catch { /* a hint only (Backend.prepare) */ }
    const float = this.defaultFloat(backend);
    if (!backend.caps.f64) {
      sig.forEach((p, i) => {
        if ((p.kind === 'array' && p.elem === 'f64') || (p.kind === 'scalar' && p.type === 'f64')) {
          throw new CompileError('f64 argument', `argument ${i + 1} of kernel '${this.name}' is ${p.kind === 'array' ? 'a Float64Array' : 'an f64 number'}, but target '${backend.target}' has no f64 (WGSL): pass a Float32Array${p.kind === 'scalar' ? ' / use float: \'f32\'' : ''} instead (numbat never demotes data silently)`, this.name);
        }
      });
    }
    // The simulator always checks bounds (it is the oracle), so its IR keeps the per-dimension checks.
    const tFront = performance.now();
    const phases: FrontendPhases = {};
    const ir = this.lower(sig, float, (this.options.boundscheck ?? true) || backend.target === 'sim', backend, phases);
    refuseMissingCaps(ir, backend.caps, backend.target);
    // The printed IR covers what the source does not show: device functions
    // resolved by name (numbat's random) and the frontend's own version. Made when a
    // backend asks (a disk cache or prepared code): printing and hashing the IR is a few ms.
    let cacheKey: string | undefined;
    const keyOf = (): string => (cacheKey ??= hashString([this.options.source?.text ?? this.fn.toString(), printIR(ir), describeGlobals(this.globals()), sig.map(paramTypeKey).join(','), float, backend.target, this.options.boundscheck ?? true, this.options.fastmath ?? false, this.options.opt ?? true].join('\u0000')));
    const tLegal = performance.now();
    const legal = this.legal(ir, backend);
    phases.legalise = performance.now() - tLegal;
    const frontend = frontendText(performance.now() - tFront, phases);
    const compiled = await backend.compile(legal, {
      float, boundscheck: this.options.boundscheck ?? true,
      fastmath: this.options.fastmath ?? false, opt: this.options.opt ?? true, cache: this.options.cache ?? false,
      get cacheKey() { return keyOf(); },
    });
    if (logEnabled('info')) log('info', compileLine(this.name, sig, backend.target, frontend, compiled, t0));
    return { backend, compiled, ir, legal };
  }

  /** The IR the backend gets: what it does not render natively, legalised (legalize/). */
  private legal(ir: KernelIR, backend: Backend): KernelIR {
    try {
      return legalize(ir, backend.caps.native);
    } catch (e) {
      if (e instanceof CompileError) throw e;
      throw new CompileError('internal error', `numbat internal error while legalising kernel '${this.name}' for target '${backend.target}': ${(e as Error).message}. This is a bug in numbat; please report it with the kernel's source.`, this.name, this.parsed?.source);
    }
  }

  /** options.globals over the recorded bindings' values (read at the first compile: a binding may be initialised after cuda.jit). */
  private globals(): Record<string, unknown> {
    this.mergedGlobals ??= withBindings(this.options.source, this.options.globals ?? {});
    return this.mergedGlobals;
  }

  private lower(sig: ParamType[], float: 'f32' | 'f64', boundscheck: boolean, backend: Backend, phases: FrontendPhases): KernelIR {
    let ir: KernelIR;
    const t0 = performance.now();
    let t2 = t0;
    try {
      this.parsed ??= parseFunction(this.fn, this.name, this.site, this.options.source);
      const t1 = performance.now();
      ir = lowerKernel({ parsed: this.parsed, globals: this.globals(), paramTypes: sig, float, boundscheck });
      t2 = performance.now();
      phases.parse = t1 - t0;
      phases.lower = t2 - t1;
      foldConstants(ir);
      verifyIR(ir);
      checkBarriers(ir);
      prepareWarps(ir, backend.caps.warp, backend.target);
    } catch (e) {
      if (e instanceof CompileError) throw e;
      // Never a bare TypeError from inside the compiler: say it is ours.
      throw new CompileError('internal error', `numbat internal error while compiling kernel '${this.name}': ${(e as Error).message}. This is a bug in numbat; please report it with the kernel's source.`, this.name, this.parsed?.source);
    }
    checkMemoryLimits(ir);
    phases.checks = performance.now() - t2;
    return ir;
  }
}

/** Milliseconds of the frontend's phases (compileLine); `lower` includes the device functions' parses. */
type FrontendPhases = Partial<Record<'parse' | 'lower' | 'checks' | 'legalise', number>>;

function frontendText(total: number, phases: FrontendPhases): string {
  return `${total.toFixed(1)} ms (${Object.entries(phases).map(([k, v]) => `${k} ${v!.toFixed(1)}`).join(', ')})`;
}

/** AbortSignal.any, where the runtime lacks it (Node < 20.3). */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const ctl = new AbortController();
  for (const s of signals) s.addEventListener('abort', () => ctl.abort(s.reason), { once: true });
  return ctl.signal;
}

/** The LaunchError of a launch stopped by its signal or timeout (also used by backends). */
export function abortedError(kernel: string, signal: AbortSignal): LaunchError {
  const r = signal.reason as { name?: string; message?: string } | undefined;
  const why = r?.name === 'TimeoutError' ? 'its timeout passed' : `its signal aborted${r?.message ? ` (${r.message})` : ''}`;
  return new LaunchError(`kernel '${kernel}': the launch was stopped: ${why}`, kernel, { aborted: true, reason: signal.reason });
}

/** One log line per compile: the frontend's time, the backend's stages (as it reports them) and the disk cache's verdict. */
function compileLine(name: string, sig: ParamType[], target: Target, frontend: string, compiled: CompiledKernel, t0: number): string {
  const c = compiled as { origin?: string; timings?: Record<string, number> };
  const stages = Object.entries(c.timings ?? {}).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v.toFixed(1)} ms`);
  const origin = c.origin === 'cache' ? ', disk cache hit' : c.origin === 'compiled' ? ', compiled' : '';
  return `compile kernel '${name}' (${sig.map(paramTypeKey).join(', ')}) for ${target}: frontend ${frontend}${stages.length ? `, ${stages.join(', ')}` : ''}${origin}; total ${ms(t0)}`;
}

function dim3(d: Dim, what: string): [number, number, number] {
  const arr = typeof d === 'number' ? [d] : Array.isArray(d) ? d : [];
  if (arr.length < 1 || arr.length > 3 || arr.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new RangeError(`numbat: ${what} dimensions must be a positive integer or a tuple of 1-3 positive integers, got ${JSON.stringify(d)}`);
  }
  return [arr[0], arr[1] ?? 1, arr[2] ?? 1];
}

/** The typed array or device array of a cuda.ndarray argument (its shape is in the signature). */
const unwrapNd = (a: unknown): unknown => (a instanceof NdArray ? a.data : a);

function argType(a: unknown, i: number, kernel: string, float: 'f32' | 'f64'): ParamType {
  if (a instanceof NdArray) return { kind: 'array', elem: a.dtype, shape: a.shape };
  if (a instanceof DeviceArray) return { kind: 'array', elem: a.dtype };
  const elem = elemTypeOfTypedArray(a);
  if (elem) return { kind: 'array', elem };
  // -0 is not an integer value for a kernel: i32 would lose its sign (1 / x must be -Infinity).
  if (typeof a === 'number') return { kind: 'scalar', type: Number.isInteger(a) && !Object.is(a, -0) && a >= -2147483648 && a <= 2147483647 ? 'i32' : float };
  if (typeof a === 'boolean') return { kind: 'scalar', type: 'bool' };
  // A BigInt is an i64 (a signature can declare it u64).
  if (typeof a === 'bigint') return { kind: 'scalar', type: 'i64' };
  const what = a instanceof Uint8ClampedArray ? 'a Uint8ClampedArray (not supported; use Uint8Array)'
    : Array.isArray(a) ? 'a plain JS array (use a typed array such as Float32Array)' : `a value of type ${typeof a}`;
  throw new TypeError(`numbat: argument ${i + 1} of kernel '${kernel}' is ${what}; kernels take numbers, booleans, typed arrays and device arrays`);
}

function parseSignatureEntry(s: string | { __dtype: string }, i: number, kernel: string): ParamType {
  if (isDType(s)) return { kind: 'scalar', type: s.__dtype as ScalarType };
  const m = /^\s*(\w+)\s*(\[\s*:?\s*\])?\s*$/.exec(String(s));
  const base = m && (m[1] === 'bool' ? 'bool' : DTYPE_NAMES[m[1]]);
  if (!m || !base) throw new TypeError(`numbat: signature entry ${i + 1} of kernel '${kernel}' ('${String(s)}') is not a type like 'f32', 'i32', 'bool' or 'f32[]'`);
  if (m[2]) return { kind: 'array', elem: base as any };
  if (!['bool', 'i32', 'u32', 'f32', 'f64', 'i64', 'u64'].includes(base)) throw new TypeError(`numbat: scalar parameters are bool, i32, u32, i64, u64, f32 or f64, not ${base}`);
  return { kind: 'scalar', type: base as ScalarType };
}

/** A stable description of captured globals for cache keys. */
function describeGlobals(g: Record<string, unknown>): string {
  return Object.keys(g).sort().map((k) => {
    const v = g[k];
    if (v instanceof DeviceFunction) return `${k}=fn:${v.sourceText}:${describeGlobals(v.globals)}`;
    if (ArrayBuffer.isView(v) || Array.isArray(v)) return `${k}=[${Array.from(v as ArrayLike<number>).join(',')}]`;
    if (isDType(v)) return `${k}=${v.__dtype}`;
    if (typeof v === 'object' && v !== null) return `${k}=obj`;
    return `${k}=${String(v)}`;
  }).join(';');
}

