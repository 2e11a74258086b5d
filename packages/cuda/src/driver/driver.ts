// A typed, checked face of the raw driver API: every call that fails throws a
// CudaError naming the call. Only the launch path (runtime/launcher.ts) calls
// cuLaunchKernel directly, to keep that path free of extra work.

import koffi from 'koffi';
import { check, CudaError, describeResult } from './errors.js';
import type { CudaApi, DevicePtr, Handle } from './libcuda.js';

/** CUdevice_attribute values used here. */
export const DEVICE_ATTR = {
  MAX_THREADS_PER_BLOCK: 1,
  MAX_SHARED_MEMORY_PER_BLOCK: 8,
  MULTIPROCESSOR_COUNT: 16,
  CAN_MAP_HOST_MEMORY: 19,
  MAX_THREADS_PER_MULTIPROCESSOR: 39,
  UNIFIED_ADDRESSING: 41,
  COMPUTE_CAPABILITY_MAJOR: 75,
  COMPUTE_CAPABILITY_MINOR: 76,
  MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: 97,
} as const;

/** CUfunction_attribute values used here. */
export const FUNC_ATTR = {
  MAX_THREADS_PER_BLOCK: 0,
  SHARED_SIZE_BYTES: 1,
  LOCAL_SIZE_BYTES: 3,
  NUM_REGS: 4,
  MAX_DYNAMIC_SHARED_SIZE_BYTES: 8,
} as const;

/** CUjit_option values for the JIT's log buffers. */
const JIT = { INFO_LOG_BUFFER: 3, INFO_LOG_BUFFER_SIZE_BYTES: 4, ERROR_LOG_BUFFER: 5, ERROR_LOG_BUFFER_SIZE_BYTES: 6 } as const;
const LOG_BYTES = 16384;

export const CU_MEMHOSTALLOC_PORTABLE = 0x1;
export const CU_MEMHOSTALLOC_DEVICEMAP = 0x2;
export const CU_STREAM_NON_BLOCKING = 0x1;
export const CU_EVENT_DISABLE_TIMING = 0x2;
const CUDA_ERROR_NOT_READY = 600;

/** A device pointer as a JS number (addresses are far below 2^53). */
function ptrNumber(p: DevicePtr): number {
  const n = Number(p);
  if (!Number.isSafeInteger(n)) throw new Error(`numbat cuda: device address ${String(p)} is not representable`);
  return n;
}

export class Driver {
  constructor(readonly api: CudaApi) {}

  private ok(call: string, code: number, detail?: string): void {
    if (code !== 0) check(this.api, call, code, detail);
  }

  init(): void { this.ok('cuInit', this.api.cuInit(0)); }

  version(): number {
    const v = [0];
    this.ok('cuDriverGetVersion', this.api.cuDriverGetVersion(v));
    return v[0];
  }

  deviceCount(): number {
    const n = [0];
    this.ok('cuDeviceGetCount', this.api.cuDeviceGetCount(n));
    return n[0];
  }

  device(ordinal: number): number {
    const d = [0];
    this.ok('cuDeviceGet', this.api.cuDeviceGet(d, ordinal));
    return d[0];
  }

  attribute(attr: number, dev: number): number {
    const v = [0];
    this.ok('cuDeviceGetAttribute', this.api.cuDeviceGetAttribute(v, attr, dev));
    return v[0];
  }

  deviceName(dev: number): string {
    const buf = Buffer.alloc(256);
    this.ok('cuDeviceGetName', this.api.cuDeviceGetName(buf, buf.length, dev));
    const end = buf.indexOf(0);
    return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
  }

  totalMemory(dev: number): number {
    const v = [0];
    this.ok('cuDeviceTotalMem_v2', this.api.cuDeviceTotalMem_v2(v, dev));
    return Number(v[0]);
  }

  retainPrimaryContext(dev: number): Handle {
    const c: Handle[] = [null];
    this.ok('cuDevicePrimaryCtxRetain', this.api.cuDevicePrimaryCtxRetain(c, dev));
    return c[0];
  }

  setCurrent(ctx: Handle): void { this.ok('cuCtxSetCurrent', this.api.cuCtxSetCurrent(ctx)); }

  synchronize(): void { this.ok('cuCtxSynchronize', this.api.cuCtxSynchronize()); }

  /**
   * Loads PTX (NUL-terminated text) or a cubin. The JIT's error log goes into
   * the error: for PTX the driver compiles, its message says what it refused.
   */
  loadModule(image: Buffer, what: string): Handle {
    const info = koffi.alloc('char', LOG_BYTES) as bigint;
    const err = koffi.alloc('char', LOG_BYTES) as bigint;
    const values = koffi.alloc('uint64_t', 4) as bigint;
    try {
      const v = new BigUint64Array(koffi.view(values, 32));
      v[0] = koffi.address(info); v[1] = BigInt(LOG_BYTES); v[2] = koffi.address(err); v[3] = BigInt(LOG_BYTES);
      new Uint8Array(koffi.view(err, 1))[0] = 0;
      const opts = new Int32Array([JIT.INFO_LOG_BUFFER, JIT.INFO_LOG_BUFFER_SIZE_BYTES, JIT.ERROR_LOG_BUFFER, JIT.ERROR_LOG_BUFFER_SIZE_BYTES]);
      const m: Handle[] = [null];
      const code = this.api.cuModuleLoadDataEx(m, image, 4, opts, values);
      if (code !== 0) {
        const log = (koffi.decode(err, 'char', -1) as string).trim();
        const { name, description } = describeResult(this.api, code);
        throw new CudaError('cuModuleLoadDataEx', code, name, description, `while loading ${what}${log ? `; the JIT compiler said:\n${log}` : ''}`);
      }
      return m[0];
    } finally {
      koffi.free(info); koffi.free(err); koffi.free(values);
    }
  }

  unloadModule(mod: Handle): void { this.ok('cuModuleUnload', this.api.cuModuleUnload(mod)); }

  getFunction(mod: Handle, name: string): Handle {
    const f: Handle[] = [null];
    this.ok('cuModuleGetFunction', this.api.cuModuleGetFunction(f, mod, name), `(kernel entry '${name}')`);
    return f[0];
  }

  setFunctionAttribute(fn: Handle, attr: number, value: number): void {
    this.ok('cuFuncSetAttribute', this.api.cuFuncSetAttribute(fn, attr, value));
  }

  functionAttribute(fn: Handle, attr: number): number {
    const v = [0];
    this.ok('cuFuncGetAttribute', this.api.cuFuncGetAttribute(v, attr, fn));
    return v[0];
  }

  alloc(bytes: number): number {
    const p: DevicePtr[] = [0];
    this.ok('cuMemAlloc_v2', this.api.cuMemAlloc_v2(p, Math.max(bytes, 1)), `(${bytes} bytes)`);
    return ptrNumber(p[0]);
  }

  free(ptr: number): void { this.ok('cuMemFree_v2', this.api.cuMemFree_v2(ptr)); }

  memsetD8(ptr: number, value: number, count: number): void {
    if (count > 0) this.ok('cuMemsetD8_v2', this.api.cuMemsetD8_v2(ptr, value, count));
  }

  copyToDevice(dst: number, src: ArrayBufferView, bytes: number, stream?: Handle): void {
    if (bytes <= 0) return;
    if (stream) this.ok('cuMemcpyHtoDAsync_v2', this.api.cuMemcpyHtoDAsync_v2(dst, src, bytes, stream));
    else this.ok('cuMemcpyHtoD_v2', this.api.cuMemcpyHtoD_v2(dst, src, bytes));
  }

  copyToHost(dst: ArrayBufferView, src: number, bytes: number, stream?: Handle): void {
    if (bytes <= 0) return;
    if (stream) this.ok('cuMemcpyDtoHAsync_v2', this.api.cuMemcpyDtoHAsync_v2(dst, src, bytes, stream));
    else this.ok('cuMemcpyDtoH_v2', this.api.cuMemcpyDtoH_v2(dst, src, bytes));
  }

  hostAlloc(bytes: number, flags: number): Handle {
    const p: Handle[] = [null];
    this.ok('cuMemHostAlloc', this.api.cuMemHostAlloc(p, bytes, flags));
    return p[0];
  }

  freeHost(p: Handle): void { this.ok('cuMemFreeHost', this.api.cuMemFreeHost(p)); }

  hostDevicePointer(p: Handle): number {
    const d: DevicePtr[] = [0];
    this.ok('cuMemHostGetDevicePointer_v2', this.api.cuMemHostGetDevicePointer_v2(d, p, 0));
    return ptrNumber(d[0]);
  }

  /** Checks a cuLaunchKernel result (the call itself is made by the launcher). */
  launchFailed(code: number, kernel: string): never {
    check(this.api, 'cuLaunchKernel', code, `(kernel '${kernel}')`);
    throw new Error(`numbat cuda: cuLaunchKernel failed with ${code}`); // check() throws for any non-zero code
  }

  streamCreate(flags = 0): Handle {
    const s: Handle[] = [null];
    this.ok('cuStreamCreate', this.api.cuStreamCreate(s, flags));
    return s[0];
  }

  streamDestroy(s: Handle): void { this.ok('cuStreamDestroy_v2', this.api.cuStreamDestroy_v2(s)); }

  streamSynchronize(s: Handle): void { this.ok('cuStreamSynchronize', this.api.cuStreamSynchronize(s)); }

  /** true when all work queued on the stream is done. */
  streamQuery(s: Handle): boolean {
    const code = this.api.cuStreamQuery(s);
    if (code === CUDA_ERROR_NOT_READY) return false;
    this.ok('cuStreamQuery', code);
    return true;
  }

  eventCreate(flags = 0): Handle {
    const e: Handle[] = [null];
    this.ok('cuEventCreate', this.api.cuEventCreate(e, flags));
    return e[0];
  }

  eventRecord(e: Handle, s: Handle): void { this.ok('cuEventRecord', this.api.cuEventRecord(e, s)); }

  eventSynchronize(e: Handle): void { this.ok('cuEventSynchronize', this.api.cuEventSynchronize(e)); }

  eventQuery(e: Handle): boolean {
    const code = this.api.cuEventQuery(e);
    if (code === CUDA_ERROR_NOT_READY) return false;
    this.ok('cuEventQuery', code);
    return true;
  }

  /** Milliseconds between two recorded events (cuEventElapsedTime_v2 where the driver has it). */
  eventElapsed(start: Handle, end: Handle): number {
    const ms = [0];
    if (this.api.cuEventElapsedTime_v2) this.ok('cuEventElapsedTime_v2', this.api.cuEventElapsedTime_v2(ms, start, end));
    else this.ok('cuEventElapsedTime', this.api.cuEventElapsedTime!(ms, start, end));
    return ms[0];
  }

  eventDestroy(e: Handle): void { this.ok('cuEventDestroy_v2', this.api.cuEventDestroy_v2(e)); }
}
