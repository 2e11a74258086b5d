// The one interface a backend implements, and the registry of targets. Core
// never imports a backend statically and has no closed list of them: a target
// is a name registered with `registerBackend` (core registers sim and this
// repository's packages, index.ts), loaded on demand from its loader or the
// package `@numbat/<target>`. Adding a backend: docs/backends/new-backend.md.

import type { KernelIR } from './ir/nodes.js';
import type { ElemType, ScalarType, TypedArray } from './types.js';
import type { BackendStreams } from './stream.js';
import type { NativeOp } from './legalize/native.js';

/** A target name: any registered one (`registerBackend`), e.g. 'sim', 'cpu', 'webgpu', 'cuda'. */
export type Target = string;

export interface Availability {
  ok: boolean;
  /** Why not, when !ok (shown when a test is skipped or 'auto' moves on). */
  reason?: string;
  /** Human-readable device description (adapter name, GPU, CPU model). */
  device?: string;
  /** true when this is real accelerator hardware (for 'auto' target choice). */
  hardware?: boolean;
  /**
   * At most how many 256-thread blocks a grid-stride loop over a large input should launch
   * (sizes `reduce`; absent: 1024). cuda: SMs × resident blocks per SM × a few waves; webgpu: a
   * fixed figure; cpu: many, since its blocks run one after another per worker and only the
   * per-thread share (not concurrency) matters there.
   */
  gridStrideBlocks?: number;
}

export interface CompileOptions {
  /** The default float chosen for this compilation. */
  float: 'f32' | 'f64';
  boundscheck: boolean;
  fastmath: boolean;
  /**
   * false (cuda.jit's `opt: false`): compile for latency, not speed, for a kernel launched once
   * on little data. cpu runs its threads one by one (no SIMD lane groups), cuda runs a short
   * pipeline before PTX; absent means true.
   */
  opt?: boolean;
  /** Persist compiled code on disk (backends that can). */
  cache: boolean;
  /** Stable hash of kernel source, captured globals, signature and options (a getter: computed when first read). */
  readonly cacheKey: string;
}

export interface LaunchDims {
  grid: [number, number, number];
  block: [number, number, number];
  /** Bytes of dynamic shared memory. */
  sharedMem: number;
  /** The backend's native stream (from `streams.createStream()`), or undefined for the default stream. */
  stream?: unknown;
  /**
   * Stop the launch when this aborts (the user's `signal` and/or `timeout`, combined by core).
   * Core refuses a launch whose signal has already aborted; a backend that can stop a running
   * launch rejects it with a LaunchError when the signal aborts (cpu: at the next block).
   */
  signal?: AbortSignal;
}

/**
 * A kernel argument. Arrays come either as a host typed array (implicit copy-in,
 * and copy-out when the kernel writes the parameter) or as a buffer this backend
 * allocated (no copy).
 */
export type LaunchArg =
  | { kind: 'scalar'; type: ScalarType; value: number | boolean }
  | { kind: 'array'; elem: ElemType; length: number; host?: TypedArray; buffer?: unknown };

/** Whatever a backend keeps for one compiled specialisation. */
export interface CompiledKernel {
  readonly ir: KernelIR;
}

/**
 * What a backend can do beyond what every backend must. Each capability is a
 * boolean; a capability added later is optional (absent = not supported), so
 * existing backends keep compiling and core refuses what they lack.
 */
export interface BackendCaps {
  /** f64 data: Float64Array and f64 scalar arguments, `float: 'f64'`. false → core refuses them with a CompileError (WGSL has no f64); never demoted to f32. */
  readonly f64: boolean;
  /**
   * Warp-level functions (cuda.shfl_sync…): 'native' → the backend lowers WarpStmt
   * itself (sim, cuda); 'emulated' → core rewrites them into shared memory and
   * block barriers first (ir/warp-emulation.ts; thread-dependent control around
   * them if-converted by ir/warp-predication.ts); absent → core refuses them. `reduce` uses shuffles only where 'native'.
   */
  readonly warp?: 'native' | 'emulated';
  /** cuda.cg.this_grid().sync(): the target can keep every block of a grid resident at once. Absent → core refuses such kernels with a CompileError. */
  readonly gridSync?: boolean;
  /** cuda.threadfence*(): the target has memory fences. Absent → core refuses them with a CompileError. */
  readonly fences?: boolean;
  /**
   * The JS-exact operation families (legalize/native.ts) this backend renders
   * itself. Core legalises every other one into simpler IR before `compile`
   * (absent: all of them), so a backend renders only simple operations.
   */
  readonly native?: readonly NativeOp[];
  /**
   * i64/u64 (BigInt) values and BigInt64Array / BigUint64Array data: 'native' 64-bit integers,
   * 'emulated' (exact, e.g. u32 pairs). Absent → core refuses 64-bit kernels with a CompileError.
   */
  readonly i64?: 'native' | 'emulated';
  /** 64-bit integer atomics (add, sub, min, max, and, or, xor, exch, cas); absent → refused with a CompileError. */
  readonly atomics64?: boolean;
  /**
   * Four consecutive loads `a[4q] … a[4q + 3]` (ir/quad-loads.ts) become one 16-byte vector load.
   * Library kernels then read that way where it gives the same result (reduce's pass 1).
   */
  readonly vectorLoads?: boolean;
}

/**
 * The contract. "must": core relies on it; "should": core works without it, the
 * user gets less. docs/backends/new-backend.md walks through each member.
 */
export interface Backend {
  /** must: the name it is registered under (`registerBackend`, or the package `@numbat/<target>`). */
  readonly target: Target;
  /** must: what it supports beyond the baseline (see BackendCaps). */
  readonly caps: BackendCaps;
  /** must: inspect stages this backend adds to 'ir' and 'ir-legal' (e.g. ['llvm', 'asm'], ['wgsl'], ['llvm', 'ptx']); may be empty. */
  readonly stages: readonly string[];
  /** should (optional): native streams and events (cuda); without them core queues launches per stream on the host. */
  readonly streams?: BackendStreams;
  /** should (optional): facts for `numbat info` (device, limits, toolchain), when available. */
  details?(): Promise<Record<string, unknown>>;
  /** must: never throws; says why not. Cached by core. */
  available(): Promise<Availability>;
  /**
   * should (optional): a kernel is about to be compiled for this target (core calls it
   * before its own frontend work, so a backend can start loading its compiler in the
   * background: cpu loads LLVM's libraries). A hint only: it must not throw, change a
   * result or an error message; core ignores anything it throws.
   */
  prepare?(opts: { cache: boolean }): void;
  /**
   * must: code for one specialisation. Refuses what it cannot run with a CompileError
   * naming the construct (never a crash, never a silent change of meaning).
   */
  compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel>;
  /** must: the text of one of `stages` (throws for another stage). */
  inspect(kernel: CompiledKernel, stage: string): Promise<string>;
  /**
   * must: runs the kernel. Resolves when the results are visible: host typed arrays
   * passed as arguments hold the kernel's writes. Rejects with a LaunchError
   * (out-of-bounds access, barrier divergence; worded by `launchErrors` in
   * errors.ts) or a backend error; never hangs.
   */
  launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]): Promise<void>;
  /** must: device memory: a buffer handle of `length` zeroed elements (host memory is fine where the device is the host). */
  alloc(elem: ElemType, length: number): Promise<unknown>;
  /** must: copies `data` into a buffer from `alloc`. */
  upload(buffer: unknown, data: TypedArray): Promise<void>;
  /** must: copies a buffer from `alloc` into `into`. */
  download(buffer: unknown, into: TypedArray): Promise<void>;
  /**
   * should (optional): a buffer handle for memory the application already owns
   * (`cuda.external`; webgpu: a GPUBuffer of the device given to its useDevice),
   * used without copies. Refuses a native buffer it cannot use, with the reason.
   * `free` of such a handle must leave the application's memory alone.
   */
  adopt?(native: unknown, elem: ElemType, length: number): Promise<unknown>;
  /** must: releases a buffer from `alloc` (idempotence not required: core frees each once). */
  free(buffer: unknown): void;
}

/** How a target takes part in the 'auto' choice. */
export interface TargetOptions {
  /**
   * 'auto' picks the available target with the highest priority (built-ins: cuda 30,
   * webgpu 20, cpu 10, sim 0). Without one, a target is used only when named.
   */
  priority?: number;
  /** 'auto' takes it only when `available()` reports `hardware: true` (webgpu on a software adapter loses to cpu). */
  hardwareOnly?: boolean;
}

interface Registration extends TargetOptions {
  /** A loader given by hand; absent: the package `@numbat/<name>`. */
  load?: () => Promise<Backend>;
}

const registry = new Map<Target, Registration>();
const loaded = new Map<Target, Promise<Backend>>();
let generation = 0;

/**
 * Registers a target: `load` gives its backend (absent: import the package
 * `@numbat/<name>` on first use). Registering a name again replaces its loader
 * and keeps its priority unless `options` gives one. Registration order is the
 * order `numbat info` and error messages list targets in.
 */
export function registerBackend(name: Target, load?: () => Promise<Backend>, options: TargetOptions = {}): void {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(name) || name === 'auto') {
    throw new TypeError(`numbat: registerBackend: '${String(name)}' is not a target name (lower-case letters, digits, '-' and '_'; not 'auto')`);
  }
  const before = registry.get(name);
  registry.set(name, { priority: before?.priority, hardwareOnly: before?.hardwareOnly, ...definedOnly(options), load });
  loaded.delete(name);
  generation++;
}

function definedOnly(o: TargetOptions): TargetOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The registered target names, in registration order. */
export function registeredTargets(): Target[] {
  return [...registry.keys()];
}

/** A registered target's 'auto' options (undefined for a target that is not registered). */
export function targetOptions(name: Target): Readonly<TargetOptions> | undefined {
  const r = registry.get(name);
  return r && { priority: r.priority, hardwareOnly: r.hardwareOnly };
}

/** Changes whenever a registration does (lets caches of availability and the 'auto' choice expire). */
export function registryGeneration(): number {
  return generation;
}

/** Whether this process has (started to) load a target's backend, or was given a loader by hand. */
export function backendInProcess(target: Target): boolean {
  return loaded.has(target) || registry.get(target)?.load !== undefined;
}

/** A target's backend: its registered loader, else the package `@numbat/<target>`. */
export function loadBackend(target: Target): Promise<Backend> {
  let p = loaded.get(target);
  if (!p) {
    const load = registry.get(target)?.load ?? (() => importBackend(target));
    p = load();
    loaded.set(target, p);
  }
  return p;
}

async function importBackend(target: Target): Promise<Backend> {
  const name = `@numbat/${target}`;
  let mod: { backend?: Backend };
  try {
    mod = (await import(name)) as { backend?: Backend };
  } catch (e) {
    // A bundle cannot find packages by a computed name once moved away from node_modules:
    // registerBackend(target, () => import('@numbat/<target>').then((m) => m.backend)) bundles it.
    throw new BackendUnavailableError(target, `package ${name} could not be loaded: ${(e as Error).message.split('\n')[0]} (install it; in a bundle, register it: registerBackend('${target}', async () => (await import('${name}')).backend))`);
  }
  if (!mod.backend) throw new BackendUnavailableError(target, `package ${name} has no 'backend' export`);
  return mod.backend;
}

export class BackendUnavailableError extends Error {
  constructor(readonly target: Target, readonly reason: string) {
    super(`numbat: target '${target}' is not available: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}
