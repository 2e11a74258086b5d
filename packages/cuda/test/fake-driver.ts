// A CUDA driver written in JS, for testing the runtime (argument packing,
// implicit copies, error records, streams) on machines without a GPU. Device
// memory is a map of ArrayBuffers; a "kernel" is a JS function registered by
// entry name that receives the decoded kernel parameters. Host-mapped memory
// is real native memory (koffi), as with the real driver.

import koffi from 'koffi';
import type { CudaApi, Handle } from '@numbat/cuda';

export interface FakeLaunch {
  entry: string;
  grid: number[];
  block: number[];
  sharedBytes: number;
  stream: Handle;
  /** Raw 8-byte parameter slots, as the kernel would read them. */
  slots: DataView[];
}

const NAMES: Record<number, [string, string]> = {
  0: ['CUDA_SUCCESS', 'no error'],
  1: ['CUDA_ERROR_INVALID_VALUE', 'invalid argument'],
  2: ['CUDA_ERROR_OUT_OF_MEMORY', 'out of memory'],
  100: ['CUDA_ERROR_NO_DEVICE', 'no CUDA-capable device is detected'],
  218: ['CUDA_ERROR_INVALID_PTX', 'a PTX JIT compilation failed'],
  500: ['CUDA_ERROR_NOT_FOUND', 'named symbol not found'],
};

export class FakeDevice {
  readonly memory = new Map<number, Uint8Array>();
  private next = 0x7f00_0000_0000; // above 2^32: exercises the high address word
  readonly hostMapped = new Map<number, Uint8Array>();
  readonly modules = new Map<bigint, string>();
  readonly functions = new Map<bigint, string>();
  readonly kernels = new Map<string, (l: FakeLaunch, d: FakeDevice) => void>();
  readonly launches: FakeLaunch[] = [];
  readonly calls: string[] = [];
  readonly attributes = new Map<string, number>();
  deviceCount = 1;
  private handles = 1n;

  /** Byte view of device memory at `addr` (any address inside an allocation or mapped host block). */
  bytes(addr: number, n: number): Uint8Array {
    for (const [base, m] of [...this.memory, ...this.hostMapped]) {
      if (addr >= base && addr + n <= base + m.byteLength) return m.subarray(addr - base, addr - base + n);
    }
    throw new Error(`fake driver: invalid device address 0x${addr.toString(16)} (+${n})`);
  }

  f32(addr: number, n: number): Float32Array { const b = this.bytes(addr, n * 4); return new Float32Array(b.buffer, b.byteOffset, n); }
  i32(addr: number, n: number): Int32Array { const b = this.bytes(addr, n * 4); return new Int32Array(b.buffer, b.byteOffset, n); }

  private handle(): bigint { return this.handles++; }

  readonly api: CudaApi = {
    cuInit: () => (this.deviceCount ? 0 : 100),
    cuDriverGetVersion: (v) => { v[0] = 12080; return 0; },
    cuDeviceGetCount: (n) => { n[0] = this.deviceCount; return 0; },
    cuDeviceGet: (d, o) => { d[0] = o; return 0; },
    cuDeviceGetAttribute: (v, a) => {
      const table: Record<number, number> = { 1: 1024, 8: 49152, 16: 132, 19: 1, 41: 1, 75: 9, 76: 0, 97: 232448 };
      v[0] = table[a] ?? 0;
      return 0;
    },
    cuDeviceGetName: (buf) => { buf.write('Fake GPU\0'); return 0; },
    cuDeviceTotalMem_v2: (b) => { b[0] = 80 * 2 ** 30; return 0; },
    cuDevicePrimaryCtxRetain: (c) => { c[0] = this.handle(); this.calls.push('ctx'); return 0; },
    cuCtxSetCurrent: () => 0,
    cuCtxSynchronize: () => 0,
    cuModuleLoadDataEx: (m, image, n, opts, values) => {
      const ptx = image.toString('utf8').replace(/\0$/, '');
      this.calls.push('load');
      if (ptx.includes('INVALID')) {
        // Write the JIT's complaint into the error log buffer (option 5), as the driver does.
        const v = new BigUint64Array(koffi.view(values as bigint, 8 * n));
        const i = Array.from(opts ?? []).indexOf(5);
        const buf = new Uint8Array(koffi.view(v[i], 256));
        buf.set(Buffer.from("ptxas application ptx input, line 1; error   : Unknown symbol 'INVALID'\0"));
        return 218;
      }
      const h = this.handle();
      this.modules.set(h, ptx);
      m[0] = h;
      return 0;
    },
    cuModuleUnload: () => 0,
    cuModuleGetFunction: (f, mod, name) => {
      const ptx = this.modules.get(mod as bigint) ?? '';
      if (!ptx.includes(`.entry ${name}(`)) return 500;
      const h = this.handle();
      this.functions.set(h, name);
      f[0] = h;
      return 0;
    },
    cuFuncSetAttribute: (fn, a, v) => { this.attributes.set(`${this.functions.get(fn as bigint)}:${a}`, v); return 0; },
    cuFuncGetAttribute: (v) => { v[0] = 0; return 0; },
    cuMemAlloc_v2: (p, bytes) => {
      const addr = this.next;
      this.next += Math.ceil(bytes / 256) * 256 + 256;
      this.memory.set(addr, new Uint8Array(bytes).fill(0xcd)); // uninitialised, as on a GPU
      p[0] = addr;
      this.calls.push('alloc');
      return 0;
    },
    cuMemFree_v2: (p) => (this.memory.delete(Number(p)) ? 0 : 1),
    cuMemsetD8_v2: (p, v, n) => { this.bytes(Number(p), n).fill(v); return 0; },
    cuMemcpyHtoD_v2: (dst, src, n) => { this.bytes(Number(dst), n).set(new Uint8Array(src.buffer, src.byteOffset, n)); this.calls.push('htod'); return 0; },
    cuMemcpyDtoH_v2: (dst, src, n) => { new Uint8Array(dst.buffer, dst.byteOffset, n).set(this.bytes(Number(src), n)); this.calls.push('dtoh'); return 0; },
    cuMemcpyHtoDAsync_v2: (dst, src, n) => { this.bytes(Number(dst), n).set(new Uint8Array(src.buffer, src.byteOffset, n)); this.calls.push('htod-async'); return 0; },
    cuMemcpyDtoHAsync_v2: (dst, src, n) => { new Uint8Array(dst.buffer, dst.byteOffset, n).set(this.bytes(Number(src), n)); this.calls.push('dtoh-async'); return 0; },
    cuMemHostAlloc: (p, bytes) => {
      const ptr = koffi.alloc('uint8_t', bytes) as bigint;
      this.hostMapped.set(Number(koffi.address(ptr)), new Uint8Array(koffi.view(ptr, bytes)));
      p[0] = ptr;
      return 0;
    },
    cuMemFreeHost: () => 0,
    cuMemHostGetDevicePointer_v2: (d, p) => { d[0] = Number(koffi.address(p as bigint)); return 0; },
    cuLaunchKernel: (fn, gx, gy, gz, bx, by, bz, shared, stream, params) => {
      const entry = this.functions.get(fn as bigint);
      if (!entry) return 400;
      const kernel = this.kernels.get(entry);
      const ptx = [...this.modules.values()].find((p) => p.includes(`.entry ${entry}(`)) ?? '';
      const nparams = (ptx.split(`.entry ${entry}(`)[1]?.split(')')[0].match(/\.param/g) ?? []).length;
      const ptrs = new BigUint64Array(koffi.view(params as bigint, 8 * nparams));
      // Copy the slots now: the driver reads parameter values at launch time.
      const slots = Array.from(ptrs, (p) => new DataView(new Uint8Array(koffi.view(p, 8)).slice().buffer));
      const l: FakeLaunch = { entry, grid: [gx, gy, gz], block: [bx, by, bz], sharedBytes: shared, stream, slots };
      this.launches.push(l);
      this.calls.push('launch');
      kernel?.(l, this);
      return 0;
    },
    cuLaunchCooperativeKernel: (fn, gx, gy, gz, bx, by, bz, shared, stream, params) => {
      this.calls.push('cooperative');
      return this.api.cuLaunchKernel(fn, gx, gy, gz, bx, by, bz, shared, stream, params, null);
    },
    cuOccupancyMaxActiveBlocksPerMultiprocessor: (n, _fn, blockSize) => { n[0] = Math.max(1, Math.floor(2048 / blockSize)); return 0; },
    cuStreamCreate: (s) => { s[0] = this.handle(); return 0; },
    cuStreamDestroy_v2: () => 0,
    cuStreamSynchronize: () => { this.calls.push('sync'); return 0; },
    cuStreamQuery: () => 0,
    cuEventCreate: (e) => { e[0] = this.handle(); return 0; },
    cuEventRecord: () => 0,
    cuEventSynchronize: () => 0,
    cuEventQuery: () => 0,
    cuEventDestroy_v2: () => 0,
    cuEventElapsedTime: (ms) => { ms[0] = 1.5; return 0; },
    cuGetErrorName: (code, s) => { s[0] = NAMES[code]?.[0] ?? null; return NAMES[code] ? 0 : 1; },
    cuGetErrorString: (code, s) => { s[0] = NAMES[code]?.[1] ?? null; return NAMES[code] ? 0 : 1; },
  };
}

/** Reads parameter slot `k` as a device pointer. */
export const ptrArg = (l: FakeLaunch, k: number): number => Number(l.slots[k].getBigUint64(0, true));
export const i32Arg = (l: FakeLaunch, k: number): number => l.slots[k].getInt32(0, true);
export const f32Arg = (l: FakeLaunch, k: number): number => l.slots[k].getFloat32(0, true);
export const f64Arg = (l: FakeLaunch, k: number): number => l.slots[k].getFloat64(0, true);
