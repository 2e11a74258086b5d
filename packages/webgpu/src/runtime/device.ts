// Adapter and device: a hardware adapter when there is one, else Dawn's OpenGL
// ES backend in compatibility mode (Mesa llvmpipe on a machine without a GPU).
// The device is opened on first use and closed after a short idle period (an
// unref'ed timer), so that a script that has finished its GPU work can exit.

/// <reference types="@webgpu/types" preserve="true" />

import { quietDawn } from './quiet-stderr.js';

export interface AdapterSummary {
  /** Adapter name as Dawn reports it (e.g. 'llvmpipe-llvm-15-0-6-256-bits-', 'NVIDIA H100 80GB HBM3'). */
  name: string;
  description: string;
  vendor: string;
  architecture: string;
  /** 'default' (Dawn's first choice: Vulkan/Metal/D3D12) or 'opengles' (compatibility fallback), or 'browser'. */
  backend: 'default' | 'opengles' | 'browser';
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
  return /llvmpipe|lavapipe/i.test(`${a.name} ${a.description}`) ? 65535 : undefined;
}

type GpuLike = { requestAdapter(opts?: Record<string, unknown>): Promise<GPUAdapter | null> };

let current: Promise<GpuContext> | undefined;
let generation = 0;
let busy = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
/** Device memory handed out by alloc() and not freed: the device stays open while any exists. */
let residentBuffers = 0;
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
  if (busy > 0 || residentBuffers > 0 || !current || idleTimer) return;
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

export function openDevice(): Promise<GpuContext> {
  if (!current) {
    current = createContext();
    current.catch(() => { current = undefined; });
  }
  return current;
}

async function createContext(): Promise<GpuContext> {
  const { adapter, backend, instance } = await chooseAdapter();
  const requiredLimits: Record<string, number> = {};
  const L = adapter.limits as unknown as Record<string, number>;
  for (const k of COMPUTE_LIMITS) if (typeof L[k] === 'number') requiredLimits[k] = L[k];
  const device = await adapter.requestDevice({ requiredLimits });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const limits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) limits[k] = (device.limits as unknown as Record<string, number>)[k];
  const name = info.device || info.description || info.vendor || 'unknown adapter';
  const summary: AdapterSummary = {
    name, description: info.description ?? '', vendor: info.vendor ?? '', architecture: info.architecture ?? '',
    backend, featureLevel: backend === 'opengles' ? 'compatibility' : 'core',
    hardware: !isSoftware(info), limits, features: [...adapter.features].sort(),
  };
  const ctx: GpuContext = { device, instance, summary, generation: ++generation, lost: false };
  device.lost.then((l) => {
    ctx.lost = true;
    if (l.reason !== 'destroyed') lostMessage = `WebGPU device lost: ${l.message || 'unknown reason'}`;
    if (current) void current.then((c) => { if (c === ctx) current = undefined; }, () => {});
  }, () => {});
  // Errors outside our error scopes must not crash the process or go unseen.
  device.addEventListener?.('uncapturederror', (ev: Event) => {
    lastUncaptured = (ev as GPUUncapturedErrorEvent).error?.message ?? 'unknown WebGPU error';
  });
  return ctx;
}

let lostMessage: string | undefined;
let lastUncaptured: string | undefined;

export function takeUncapturedError(): string | undefined {
  const m = lastUncaptured;
  lastUncaptured = undefined;
  return m ?? lostMessage;
}

function isSoftware(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return /llvmpipe|lavapipe|swiftshader|softpipe|software|microsoft basic render/i.test(text);
}

async function chooseAdapter(): Promise<{ adapter: GPUAdapter; backend: AdapterSummary['backend']; instance: unknown }> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (nav) {
    const adapter = await nav.requestAdapter({ powerPreference: 'high-performance' }) ?? await nav.requestAdapter({ featureLevel: 'compatibility' });
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() found no adapter');
    return { adapter, backend: 'browser', instance: nav };
  }
  const create = await loadDawn();
  // Adapter discovery prints Dawn's limit-clamping warnings to fd 2: kept off stderr (quiet-stderr.ts).
  const quiet = await quietDawn();
  const tried: string[] = [];
  let software: { adapter: GPUAdapter; instance: GpuLike } | undefined;
  const forced = envVar('NUMBAT_WEBGPU_BACKEND');
  const skipDefault = forced === 'opengles' ? 'NUMBAT_WEBGPU_BACKEND=opengles' : forced === 'default' ? undefined : await missingVulkanLoader();
  if (skipDefault) tried.push(`default backend skipped: ${skipDefault}`);
  else {
    try {
      const instance = quiet(() => create([]));
      const adapter = await quiet(() => instance.requestAdapter({ powerPreference: 'high-performance' }));
      if (adapter && !isSoftware(adapter.info ?? {})) return { adapter, backend: 'default', instance };
      if (adapter) software = { adapter, instance };
      tried.push(adapter ? `default backend: only a software adapter (${adapter.info?.device || adapter.info?.description})` : 'default backend (Vulkan): no adapter');
    } catch (e) {
      tried.push(`default backend: ${(e as Error).message}`);
    }
  }
  try {
    const instance = quiet(() => create(['backend=opengles']));
    const adapter = await quiet(() => instance.requestAdapter({ featureLevel: 'compatibility' }));
    if (adapter) return { adapter, backend: 'opengles', instance };
    tried.push('OpenGL ES backend (compatibility): no adapter (needs Mesa EGL/GLES: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)');
  } catch (e) {
    tried.push(`OpenGL ES backend: ${(e as Error).message}`);
  }
  if (software) return { ...software, backend: 'default' };
  throw new Error(`no WebGPU adapter: ${tried.join('; ')}`);
}

type DawnCreate = (flags: string[]) => GpuLike;

async function loadDawn(): Promise<DawnCreate> {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  if (env) {
    // Mesa's EGL needs a runtime dir and, without a display, the surfaceless platform.
    if (!env.XDG_RUNTIME_DIR) {
      const os = await import('node:os');
      env.XDG_RUNTIME_DIR = os.tmpdir();
    }
    env.EGL_PLATFORM ??= 'surfaceless';
  }
  let mod: { create?: DawnCreate };
  try {
    mod = (await import('webgpu')) as { create?: DawnCreate };
  } catch (e) {
    throw new Error(`the 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}`);
  }
  if (!mod.create) throw new Error("the 'webgpu' package has no create()");
  return mod.create;
}

/**
 * On Linux Dawn's default backend is Vulkan; without a Vulkan loader it fails
 * (and prints a warning), so look for the loader first.
 */
async function missingVulkanLoader(): Promise<string | undefined> {
  const proc = (globalThis as { process?: { platform?: string } }).process;
  if (proc?.platform !== 'linux') return undefined;
  const fs = await import('node:fs');
  const dirs = [...(envVar('LD_LIBRARY_PATH') ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/usr/local/lib'];
  return dirs.some((d) => fs.existsSync(`${d}/libvulkan.so.1`)) ? undefined : 'no Vulkan loader (libvulkan.so.1) found';
}

function envVar(name: string): string | undefined {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];
}
