// The launch path, built for speed: per specialisation, one native argument
// block (8 bytes per kernel parameter) and the array of pointers into it that
// cuLaunchKernel takes are allocated once; a launch writes the values into
// typed-array views of that block and makes one driver call. Host typed arrays
// are copied into per-parameter staging buffers (reused, grown when needed)
// and copied back only when the kernel writes them.

import koffi from 'koffi';
import { LaunchError, launchErrors, type LaunchArg, type LaunchDims, type TypedArray } from '@numbat/core';
import { dynamicSharedBytes, type CudaPlan } from '../codegen/abi.js';
import { FUNC_ATTR } from '../driver/driver.js';
import type { CudaApi, Handle } from '../driver/libcuda.js';
import type { Gpu } from './device.js';
import type { ErrorRecord } from './error-record.js';
import { allocBuffer, DeviceBuffer, freeBuffer } from './memory.js';
import { defaultStreamRecord, registerTag, Stream, tagInfo, throwRecorded, type TagInfo } from './stream.js';

/** Static shared memory above this needs no opt-in; dynamic shared memory beyond it needs cuFuncSetAttribute. */
const DEFAULT_SHARED_LIMIT = 48 * 1024;

export class Launcher {
  readonly tag: number;
  private readonly info: TagInfo;
  private readonly api: CudaApi;
  private readonly store: bigint;
  private readonly params: bigint;
  private readonly u32: Uint32Array;
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  /** IR parameter i → its first 8-byte slot. */
  private readonly slot: number[] = [];
  private readonly hiddenSlot: number;
  private readonly staging: (DeviceBuffer | undefined)[] = [];
  private readonly staticShared: number;
  private dynamicLimit = DEFAULT_SHARED_LIMIT;
  private lastRecord?: ErrorRecord;

  constructor(private readonly g: Gpu, private readonly fn: Handle, readonly plan: CudaPlan) {
    this.api = g.driver.api;
    let n = 0;
    for (const p of plan.params) { this.slot.push(n); n += p.kind === 'array' ? 2 : 1; }
    this.hiddenSlot = n;
    n += 4;
    this.store = koffi.alloc('uint64_t', n) as bigint;
    this.params = koffi.alloc('uint64_t', n) as bigint;
    const view = koffi.view(this.store, n * 8);
    this.u32 = new Uint32Array(view); this.i32 = new Int32Array(view);
    this.f32 = new Float32Array(view); this.f64 = new Float64Array(view);
    this.u32.fill(0);
    const ptrs = new BigUint64Array(koffi.view(this.params, n * 8));
    const base = koffi.address(this.store);
    for (let k = 0; k < n; k++) ptrs[k] = base + BigInt(8 * k);
    this.tag = registerTag(plan);
    this.info = tagInfo(this.tag)!;
    this.i32[2 * (this.hiddenSlot + 2)] = this.tag;
    this.staticShared = g.driver.functionAttribute(fn, FUNC_ATTR.SHARED_SIZE_BYTES);
  }

  /**
   * cuda.cg.this_grid().sync(): a cooperative launch, which the driver runs only
   * when every block fits on the GPU at once; a larger grid is a LaunchError
   * naming the limit (occupancy per SM × SMs for this block size and shared memory).
   */
  private launchCooperative(dims: LaunchDims, dyn: number, s: Handle): number {
    const [gx, gy, gz] = dims.grid, [bx, by, bz] = dims.block;
    const threads = bx * by * bz;
    const perSm = [0];
    const occ = this.api.cuOccupancyMaxActiveBlocksPerMultiprocessor(perSm, this.fn, threads, dyn);
    if (occ !== 0) this.g.driver.launchFailed(occ, this.plan.name);
    const sms = this.g.device.multiprocessors;
    const limit = perSm[0] * sms;
    if (gx * gy * gz > limit) {
      throw launchErrors.gridTooLarge(this.plan.name, { target: 'cuda', blocks: gx * gy * gz, limit, why: `${perSm[0]} per SM × ${sms} SMs at ${threads} threads and ${dyn} bytes of dynamic shared memory per block` });
    }
    return this.api.cuLaunchCooperativeKernel(this.fn, gx, gy, gz, bx, by, bz, dyn, s, this.params);
  }

  /** Runs the kernel; returns after the results are visible to the caller (see stream.ts for when that is). */
  launch(dims: LaunchDims, args: LaunchArg[]): void {
    const plan = this.plan, g = this.g;
    const stream = dims.stream;
    if (stream !== undefined && !(stream instanceof Stream)) throw new TypeError(`numbat cuda: launch option 'stream' must come from stream() of @numbat/cuda`);
    const s: Handle = stream ? stream.handle : null;
    const rec = stream ? stream.record : defaultStreamRecord(g);
    // An earlier asynchronous launch on this stream failed: report it now rather than lose it.
    if (stream?.pending && rec.flagged()) stream.synchronizeNow();
    if (args.length !== plan.params.length) throw new Error(`numbat internal error: kernel '${plan.name}' takes ${plan.params.length} arguments, got ${args.length}`);
    const u32 = this.u32, i32 = this.i32;
    let hostArrays = false;
    const spans = hostSpans(args);
    for (let i = 0; i < args.length; i++) {
      const a = args[i], k = this.slot[i];
      if (a.kind === 'array') {
        let buf: DeviceBuffer;
        if (a.host) {
          // Host views of one memory range share one device copy, so writes through one are seen through the other.
          const span = spans.get(i)!;
          buf = this.stagingFor(span.first, span.to - span.from);
          if (span.first === i) g.driver.copyToDevice(buf.ptr, new Uint8Array(a.host.buffer, span.from, span.to - span.from), span.to - span.from, s);
          const addr = buf.ptr + (a.host.byteOffset - span.from);
          u32[2 * k] = addr % 2 ** 32; u32[2 * k + 1] = Math.floor(addr / 2 ** 32);
          i32[2 * k + 2] = a.length;
          hostArrays = true;
          continue;
        } else {
          const b = a.buffer;
          if (!(b instanceof DeviceBuffer)) throw new TypeError(`numbat cuda: argument ${i + 1} of kernel '${plan.name}' is not a cuda device array`);
          if (b.freed) throw new Error(`numbat cuda: argument ${i + 1} of kernel '${plan.name}' is a device array that was freed`);
          buf = b;
        }
        u32[2 * k] = buf.lo; u32[2 * k + 1] = buf.hi;
        i32[2 * k + 2] = a.length;
      } else {
        const p = plan.params[i], v = a.value;
        const type = p.kind === 'scalar' ? p.type : a.type;
        if (type === 'f64') this.f64[k] = Number(v);
        else if (type === 'i64' || type === 'u64') { const x = BigInt.asUintN(64, BigInt(v)); u32[2 * k] = Number(x & 0xffffffffn); u32[2 * k + 1] = Number(x >> 32n); }
        else if (type === 'f32') this.f32[2 * k] = Number(v);
        else if (type === 'u32') u32[2 * k] = Number(v) >>> 0;
        else if (type === 'bool') i32[2 * k] = v ? 1 : 0;
        else i32[2 * k] = Number(v) | 0;
      }
    }
    const h = 2 * this.hiddenSlot;
    if (this.lastRecord !== rec) {
      u32[h] = rec.claimLo; u32[h + 1] = rec.claimHi; u32[h + 2] = rec.recLo; u32[h + 3] = rec.recHi;
      this.lastRecord = rec;
    }
    i32[h + 6] = dims.sharedMem;
    const dyn = dynamicSharedBytes(plan, dims.sharedMem);
    if (this.staticShared + dyn > this.dynamicLimit) this.raiseSharedLimit(dyn);
    const [gx, gy, gz] = dims.grid, [bx, by, bz] = dims.block;
    const lb = this.info.lastBlock;
    lb[0] = bx; lb[1] = by; lb[2] = bz;
    const code = plan.gridSync
      ? this.launchCooperative(dims, dyn, s)
      : this.api.cuLaunchKernel(this.fn, gx, gy, gz, bx, by, bz, dyn, s, this.params, null);
    if (code !== 0) g.driver.launchFailed(code, plan.name);
    if (hostArrays) {
      let copied = false;
      for (const [i, span] of spans) {
        const a = args[i] as Extract<LaunchArg, { kind: 'array' }>;
        if (span.first !== i || !span.members.some((j) => plan.params[j].kind === 'array' && (plan.params[j] as { written: boolean }).written)) continue;
        g.driver.copyToHost(new Uint8Array(a.host!.buffer, span.from, span.to - span.from), this.staging[i]!.ptr, span.to - span.from, s);
        copied = true;
      }
      // A synchronous copy on the legacy stream already waited for the kernel.
      if (s !== null || !copied) g.driver.streamSynchronize(s);
    } else if (stream) {
      stream.pending = true;
      return;
    } else if (plan.boundscheck || plan.tracksExit) {
      g.driver.streamSynchronize(null);
    } else {
      return;
    }
    if (stream) stream.pending = false;
    throwRecorded(rec);
  }

  private stagingFor(i: number, bytes: number): DeviceBuffer {
    const cur = this.staging[i];
    if (cur && cur.bytes >= bytes) return cur;
    if (cur) freeBuffer(this.g, cur);
    // Grow with headroom so a slowly growing input does not reallocate every launch.
    const length = Math.max(bytes, Math.ceil((cur?.bytes ?? 0) * 1.5));
    const b = allocBuffer(this.g, 'u8', length, false);
    this.staging[i] = b;
    return b;
  }

  private raiseSharedLimit(dyn: number): void {
    const d = this.g.device;
    const total = this.staticShared + dyn;
    if (total > d.sharedPerBlockOptin) {
      throw new LaunchError(
        `kernel '${this.plan.name}': ${total} bytes of shared memory per block (${this.staticShared} static + ${dyn} dynamic) exceed the ${d.sharedPerBlockOptin} bytes ${d.name} allows`,
        this.plan.name, { sharedBytes: total },
      );
    }
    this.g.driver.setFunctionAttribute(this.fn, FUNC_ATTR.MAX_DYNAMIC_SHARED_SIZE_BYTES, dyn);
    this.dynamicLimit = this.staticShared + dyn;
  }

  /** Frees staging buffers (the kernel stays loaded). */
  release(): void {
    for (const b of this.staging) if (b) freeBuffer(this.g, b);
    this.staging.length = 0;
  }
}

/**
 * The device copy each host array argument lives in: arguments whose bytes
 * overlap (`k(x, x)`, overlapping subarrays of one buffer) share one copy of
 * the range they span, uploaded and copied back once (by `first`). The span
 * starts 8-aligned, so each view keeps its element alignment in the copy.
 */
function hostSpans(args: LaunchArg[]): Map<number, { first: number; from: number; to: number; members: number[] }> {
  type Span = { first: number; from: number; to: number; members: number[] };
  const out = new Map<number, Span>();
  const byBuffer = new Map<ArrayBufferLike, number[]>();
  args.forEach((a, i) => {
    if (a.kind !== 'array' || !a.host) return;
    const list = byBuffer.get(a.host.buffer);
    if (list) list.push(i); else byBuffer.set(a.host.buffer, [i]);
  });
  for (const list of byBuffer.values()) {
    const hosts = (i: number) => (args[i] as Extract<LaunchArg, { kind: 'array' }>).host!;
    list.sort((x, y) => hosts(x).byteOffset - hosts(y).byteOffset || x - y);
    let cur: Span | undefined;
    for (const i of list) {
      const h = hosts(i), from = Math.floor(h.byteOffset / 8) * 8, to = h.byteOffset + h.byteLength;
      if (!cur || from >= cur.to) cur = { first: i, from, to, members: [] };
      cur.to = Math.max(cur.to, to);
      cur.first = Math.min(cur.first, i);
      cur.members.push(i);
      out.set(i, cur);
    }
  }
  return out;
}
