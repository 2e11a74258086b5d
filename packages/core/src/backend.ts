// The one interface a backend implements. Core never imports a backend
// statically: `loadBackend(target)` imports `@numbat/<target>` on demand and
// takes its `backend` export. Adding a backend = one package exporting this.

import type { KernelIR } from './ir/nodes.js';
import type { ElemType, ScalarType, TypedArray } from './types.js';
import type { BackendStreams } from './stream.js';

export type Target = 'sim' | 'cpu' | 'webgpu' | 'cuda';
export const TARGETS: readonly Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];

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
  debug: boolean;
  fastmath: boolean;
  /** Persist compiled code on disk (backends that can). */
  cache: boolean;
  /** Stable hash of kernel source, captured globals, signature and options. */
  cacheKey: string;
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

export interface Backend {
  readonly target: Target;
  /** false → f64 arrays/arguments/`float: 'f64'` are refused with a clear error (WGSL). */
  readonly supportsF64: boolean;
  /** Inspect stages this backend adds to 'ir' (e.g. ['llvm', 'asm'], ['wgsl'], ['llvm', 'ptx']). */
  readonly stages: readonly string[];
  /** Native streams and events (cuda); without them core queues launches per stream on the host. */
  readonly streams?: BackendStreams;
  /** Facts for `numbat info` (device, limits, toolchain), when available. */
  details?(): Promise<Record<string, unknown>>;
  /** Never throws; says why not. Cached by core. */
  available(): Promise<Availability>;
  compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel>;
  inspect(kernel: CompiledKernel, stage: string): Promise<string>;
  /**
   * Runs the kernel. Resolves when the results are visible: host typed arrays
   * passed as arguments hold the kernel's writes. Rejects with a LaunchError
   * (out-of-bounds access, barrier divergence) or a backend error; never hangs.
   */
  launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]): Promise<void>;
  /** Device memory: a buffer handle of `length` zeroed elements. */
  alloc(elem: ElemType, length: number): Promise<unknown>;
  upload(buffer: unknown, data: TypedArray): Promise<void>;
  download(buffer: unknown, into: TypedArray): Promise<void>;
  free(buffer: unknown): void;
}

const loaded = new Map<Target, Promise<Backend>>();
const registered = new Map<Target, () => Promise<Backend>>();

/** Register a backend loader by hand (tests, or a backend outside @numbat/*). */
export function registerBackend(target: Target, load: () => Promise<Backend>): void {
  registered.set(target, load);
  loaded.delete(target);
}

/** Whether this process has (started to) load a target's backend, or was given a loader by hand. */
export function backendInProcess(target: Target): boolean {
  return loaded.has(target) || registered.has(target);
}

export function loadBackend(target: Target): Promise<Backend> {
  let p = loaded.get(target);
  if (!p) {
    const load = registered.get(target) ?? (() => importBackend(target));
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
