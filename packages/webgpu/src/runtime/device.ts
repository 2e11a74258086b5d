// Adapter and device. The adapter comes from the entry's adapter source: a
// browser's navigator.gpu (browser.ts), or in Node Dawn's (dawn.ts: a hardware
// adapter when there is one, else Dawn's OpenGL ES backend in compatibility
// mode, Mesa llvmpipe on a machine without a GPU). Or the application hands
// numbat its own GPUDevice (useDevice). numbat's own device is opened on first
// use and closed after a short idle period (an unref'ed timer), so that a
// script that has finished its GPU work can exit; an application's device is
// never closed by numbat.

/// <reference types="@webgpu/types" preserve="true" />

export interface AdapterSummary {
  /** Adapter name as Dawn reports it (e.g. 'llvmpipe-llvm-15-0-6-256-bits-', 'NVIDIA H100 80GB HBM3'). */
  name: string;
  description: string;
  vendor: string;
  architecture: string;
  /** 'default' (Dawn's first choice: Vulkan/Metal/D3D12) or 'opengles' (compatibility fallback), 'browser' (navigator.gpu), or 'application' (a device given to useDevice). */
  backend: 'default' | 'opengles' | 'browser' | 'application';
  featureLevel: 'core' | 'compatibility';
  hardware: boolean;
  limits: Record<string, number>;
  features: string[];
}

export interface GpuContext {
  device: GPUDevice;
  /** Dawn's instance (the create() result): it must outlive the device, or Dawn crashes when it is collected. */
  instance: unknown;
  summary: AdapterSummary;
  /** Changes whenever a new device is opened (pipelines and buffers are per device). */
  generation: number;
  lost: boolean;
  /** The application's device (useDevice): numbat never destroys it. */
  external?: boolean;
}

/** WebGPU usage flags (numeric, so no globals need installing). */
export const Usage = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
export const MAP_READ_MODE = 1;

/** Limits that matter to compute, requested at the adapter's maximum. */
const COMPUTE_LIMITS = [
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage', 'maxBufferSize', 'maxUniformBufferBindingSize',
  'maxBindingsPerBindGroup',
] as const;

const IDLE_MS = 1000;

/**
 * Mesa's llvmpipe (and lavapipe) ends every loop of a shader invocation once
 * 65535 loop passes have run in that invocation, all loops together
 * (LP_MAX_TGSI_LOOP_ITERATIONS): the emitter then unrolls innermost loops and
 * reports a cut loop instead of a silently short result.
 */
export function driverLoopLimit(a: AdapterSummary): number | undefined {
  // Asked on every launch: the answer is kept per adapter summary.
  let limit = loopLimits.get(a);
  if (limit === undefined) loopLimits.set(a, limit = /llvmpipe|lavapipe/i.test(`${a.name} ${a.description}`) ? 65535 : 0);
  return limit || undefined;
}
const loopLimits = new WeakMap<AdapterSummary, number>();

/**
 * Threads llvmpipe runs together in one SIMD group: its adapter name says the vector width
 * ('llvmpipe-llvm-15-0-6-256-bits-': 256 / 32 = 8); 8 where it does not.
 */
export function driverSimdLanes(a: AdapterSummary): number {
  const bits = /(\d+)-bits/.exec(a.name);
  return bits ? Math.max(1, Number(bits[1]) / 32) : 8;
}

export type GpuLike = { requestAdapter(opts?: Record<string, unknown>): Promise<GPUAdapter | null> };

/** An adapter, where it came from, and the object that must outlive it (Dawn's instance). */
export interface AdapterChoice {
  adapter: GPUAdapter;
  backend: AdapterSummary['backend'];
  instance: unknown;
}

let adapterSource: () => Promise<AdapterChoice> = navigatorAdapter;

/** Where numbat's own device comes from (set by the Node entry to Dawn; navigator.gpu by default). */
export function useAdapterSource(source: () => Promise<AdapterChoice>): void {
  adapterSource = source;
}

let current: Promise<GpuContext> | undefined;
let generation = 0;
let busy = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
/** Device memory handed out by alloc() and not freed: the device stays open while any exists. */
let residentBuffers = 0;
/** Whether `current` is the application's device (useDevice). */
let usingExternal = false;
let externalDevice: GPUDevice | undefined;
const onClose: ((ctx: GpuContext) => void)[] = [];

/** Runs `f` with the device open; the idle timer starts when nothing is running. */
export async function withDevice<T>(f: (ctx: GpuContext) => Promise<T>): Promise<T> {
  busy++;
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = undefined; }
  try {
    const ctx = await openDevice();
    return await f(ctx);
  } finally {
    busy--;
    scheduleIdle();
  }
}

/** Keeps the device open until `work` settles (GPU work submitted but not yet finished). */
export function holdDevice(work: Promise<unknown>): void {
  busy++;
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = undefined; }
  const done = (): void => { busy--; scheduleIdle(); };
  work.then(done, done);
}

export function trackResident(delta: number): void {
  residentBuffers += delta;
  scheduleIdle();
}

/** Called with a context just before its device is destroyed (to drop caches). */
export function onDeviceClose(f: (ctx: GpuContext) => void): void {
  onClose.push(f);
}

function scheduleIdle(): void {
  // The application's device is never closed here: it stays numbat's until useDevice() changes it.
  if (usingExternal || busy > 0 || residentBuffers > 0 || !current || idleTimer) return;
  idleTimer = setTimeout(() => { idleTimer = undefined; void closeIfIdle(); }, IDLE_MS);
  (idleTimer as { unref?: () => void }).unref?.();
}

async function closeIfIdle(): Promise<void> {
  if (busy > 0 || residentBuffers > 0 || !current) return;
  const p = current;
  current = undefined;
  try {
    const ctx = await p;
    for (const f of onClose) f(ctx);
    ctx.device.destroy();
  } catch { /* never opened */ }
}

/**
 * Runs numbat's webgpu kernels, device arrays and copies on the application's
 * own GPUDevice (so its GPUBuffers can be kernel arguments: cuda.external).
 * Replaces the device numbat opened itself (its device arrays can no longer be
 * used); numbat never destroys the application's device.
 */
export function useDevice(device: GPUDevice): void {
  if (!device || typeof (device as Partial<GPUDevice>).createComputePipeline !== 'function') {
    throw new TypeError('numbat webgpu: useDevice() expects a GPUDevice');
  }
  if (usingExternal && externalDevice === device) return; // already in use: keep its pipelines and arrays
  const before = current;
  const info = (device as Partial<GPUDevice>).adapterInfo ?? ({} as GPUAdapterInfo);
  const limits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) limits[k] = (device.limits as unknown as Record<string, number>)[k];
  const summary: AdapterSummary = {
    name: adapterName(info, 'application GPUDevice'), description: info.description ?? '',
    vendor: info.vendor ?? '', architecture: info.architecture ?? '', backend: 'application',
    featureLevel: 'core', hardware: !isSoftware(info), limits, features: [...device.features].sort(),
  };
  const ctx: GpuContext = { device, instance: undefined, summary, generation: ++generation, lost: false, external: true };
  watch(ctx);
  current = Promise.resolve(ctx);
  usingExternal = true;
  externalDevice = device;
  if (idleTimer) { clearTimeout(idleTimer); idleTimer = undefined; }
  for (const f of onDeviceChange) f(ctx);
  void before?.then((old) => {
    if (old === ctx) return;
    for (const f of onClose) f(old);
    if (!old.external) old.device.destroy();
  }, () => {});
}

const onDeviceChange: ((ctx: GpuContext) => void)[] = [];

/** Called when useDevice() installs a device (to drop cached availability). */
export function onUseDevice(f: (ctx: GpuContext) => void): void {
  onDeviceChange.push(f);
}

export function openDevice(): Promise<GpuContext> {
  if (!current) {
    current = createContext();
    current.catch(() => { current = undefined; });
  }
  return current;
}

async function createContext(): Promise<GpuContext> {
  const { adapter, backend, instance } = await adapterSource();
  const requiredLimits: Record<string, number> = {};
  const L = adapter.limits as unknown as Record<string, number>;
  for (const k of COMPUTE_LIMITS) if (typeof L[k] === 'number') requiredLimits[k] = L[k];
  const device = await adapter.requestDevice({ requiredLimits });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const limits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) limits[k] = (device.limits as unknown as Record<string, number>)[k];
  const name = adapterName(info, 'unknown adapter');
  const summary: AdapterSummary = {
    name, description: info.description ?? '', vendor: info.vendor ?? '', architecture: info.architecture ?? '',
    backend, featureLevel: backend === 'opengles' ? 'compatibility' : 'core',
    hardware: !isSoftware(info), limits, features: [...adapter.features].sort(),
  };
  const ctx: GpuContext = { device, instance, summary, generation: ++generation, lost: false };
  watch(ctx);
  return ctx;
}

/** Device loss and errors outside numbat's error scopes are noted, never thrown into the void. */
function watch(ctx: GpuContext): void {
  const device = ctx.device;
  device.lost.then((l) => {
    ctx.lost = true;
    if (l.reason !== 'destroyed') lostMessage = `WebGPU device lost: ${l.message || 'unknown reason'}`;
    if (current) void current.then((c) => { if (c === ctx) { current = undefined; usingExternal = false; } }, () => {});
  }, () => {});
  // Errors outside our error scopes must not crash the process or go unseen.
  device.addEventListener?.('uncapturederror', (ev: Event) => {
    lastUncaptured = (ev as GPUUncapturedErrorEvent).error?.message ?? 'unknown WebGPU error';
  });
}

let lostMessage: string | undefined;
let lastUncaptured: string | undefined;

export function takeUncapturedError(): string | undefined {
  const m = lastUncaptured;
  lastUncaptured = undefined;
  return m ?? lostMessage;
}

/** Dawn names the device; a browser may say only vendor and architecture ('google swiftshader'). */
function adapterName(info: Partial<GPUAdapterInfo>, fallback: string): string {
  return info.device || info.description || [info.vendor, info.architecture].filter(Boolean).join(' ') || fallback;
}

export function isSoftware(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return /llvmpipe|lavapipe|swiftshader|softpipe|software|microsoft basic render/i.test(text);
}

/** The adapter source in a browser (and wherever navigator.gpu exists: Deno). */
export async function navigatorAdapter(): Promise<AdapterChoice> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!nav) throw new Error('no WebGPU here: navigator.gpu is missing (a browser without WebGPU, or WebGPU disabled)');
  const adapter = await nav.requestAdapter({ powerPreference: 'high-performance' }) ?? await nav.requestAdapter({ featureLevel: 'compatibility' });
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() found no adapter');
  return { adapter, backend: 'browser', instance: nav };
}
