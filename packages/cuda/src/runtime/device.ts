// The GPU this process uses: device NUMBAT_CUDA_DEVICE (default 0) and its
// primary context, made current on the main thread (every driver call is made
// from there). Probing never throws: no libcuda, a failing cuInit or zero
// devices become a reason string.

import { Driver, DEVICE_ATTR } from '../driver/driver.js';
import { loadLibcuda, type CudaApi, type Handle } from '../driver/libcuda.js';
import { archForCapability } from '../codegen/target.js';

export interface DeviceInfo {
  ordinal: number;
  name: string;
  major: number;
  minor: number;
  /** The sm_XX numbat generates PTX for (capped at what LLVM knows). */
  arch: string;
  multiprocessors: number;
  /** Resident threads per SM (0 when the driver does not say). */
  threadsPerMultiprocessor: number;
  sharedPerBlock: number;
  sharedPerBlockOptin: number;
  totalMemory: number;
  driverVersion: number;
}

export interface Gpu {
  driver: Driver;
  device: DeviceInfo;
  /** The primary context, retained on first use. */
  context(): Handle;
}

type Probe = { ok: true; driver: Driver; device: DeviceInfo; handle: number } | { ok: false; reason: string };

let probed: Probe | undefined;
let injected: CudaApi | undefined;
let gpuObj: Gpu | undefined;

/** Tests: run the runtime against a fake driver API (undefined: back to libcuda). */
export function setDriverApiForTesting(api: CudaApi | undefined): void {
  injected = api;
  probed = undefined;
  gpuObj = undefined;
}

function probe(): Probe {
  let api: CudaApi;
  if (injected) api = injected;
  else {
    const lib = loadLibcuda();
    if (!lib.ok) return { ok: false, reason: lib.reason };
    api = lib.api;
  }
  const driver = new Driver(api);
  try {
    driver.init();
    const count = driver.deviceCount();
    if (count === 0) return { ok: false, reason: 'the CUDA driver reports no GPU' };
    const ordinal = Number(process.env.NUMBAT_CUDA_DEVICE ?? 0);
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= count) {
      return { ok: false, reason: `NUMBAT_CUDA_DEVICE=${process.env.NUMBAT_CUDA_DEVICE} but the driver reports ${count} GPU(s)` };
    }
    const handle = driver.device(ordinal);
    const attr = (a: number): number => driver.attribute(a, handle);
    const major = attr(DEVICE_ATTR.COMPUTE_CAPABILITY_MAJOR), minor = attr(DEVICE_ATTR.COMPUTE_CAPABILITY_MINOR);
    const device: DeviceInfo = {
      ordinal, name: driver.deviceName(handle), major, minor, arch: archForCapability(major, minor),
      multiprocessors: attr(DEVICE_ATTR.MULTIPROCESSOR_COUNT),
      threadsPerMultiprocessor: attr(DEVICE_ATTR.MAX_THREADS_PER_MULTIPROCESSOR),
      sharedPerBlock: attr(DEVICE_ATTR.MAX_SHARED_MEMORY_PER_BLOCK),
      sharedPerBlockOptin: attr(DEVICE_ATTR.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
      totalMemory: driver.totalMemory(handle),
      driverVersion: driver.version(),
    };
    return { ok: true, driver, device, handle };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** Whether a GPU is usable, and which; cached. */
export function probeGpu(): Probe {
  probed ??= probe();
  return probed;
}

/** The GPU, or an Error carrying the reason it is unavailable. */
export function gpu(): Gpu {
  if (gpuObj) return gpuObj;
  const p = probeGpu();
  if (!p.ok) throw new Error(`numbat: target 'cuda' is not available: ${p.reason}`);
  let ctx: Handle | undefined;
  gpuObj = {
    driver: p.driver,
    device: p.device,
    context() {
      if (ctx === undefined) {
        ctx = p.driver.retainPrimaryContext(p.handle);
        p.driver.setCurrent(ctx);
      }
      return ctx;
    },
  };
  return gpuObj;
}

export function describeDevice(d: DeviceInfo): string {
  const v = `${Math.floor(d.driverVersion / 1000)}.${(d.driverVersion % 1000) / 10}`;
  return `${d.name} (compute ${d.major}.${d.minor}, ${d.multiprocessors} SMs, ${(d.totalMemory / 2 ** 30).toFixed(0)} GiB, CUDA driver ${v}; PTX for ${d.arch})`;
}

/**
 * Blocks of 256 threads for a grid-stride loop over a large input (core's `reduce`):
 * every SM full (resident threads / 256 blocks each, 2048 threads when the driver
 * does not say), four waves so that enough loads are in flight. Not yet tuned on a GPU.
 */
export function gridStrideBlocks(d: DeviceInfo): number {
  const perSm = Math.max(1, Math.floor((d.threadsPerMultiprocessor || 2048) / 256));
  return Math.max(1, d.multiprocessors) * perSm * 4;
}
