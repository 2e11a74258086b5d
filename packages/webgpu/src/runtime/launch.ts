// One kernel launch: check the launch against the device's limits, upload host
// arrays, fill the uniform block, dispatch (folding big grids into 2-D/3-D),
// copy written host arrays to one MAP_READ staging buffer, and hand the
// recorded commands to the device's queue (queue.ts), which submits them and
// settles the launch once the GPU has run it.

/// <reference types="@webgpu/types" />

import { LaunchError, launchErrors, type LaunchArg, type LaunchDims, type TypedArray } from '@numbat/core';
import {
  ERR_BARRIER, ERR_LOOP, ERR_OOB, ERR_WORDS, LOOP_UNROLL, storageBytes, U_DISP_X, U_DISP_Y, U_GRID, U_NBLOCKS, U_ZERO, type WgslKernel,
} from '../codegen/index.js';
import { driverLoopLimit, driverSimdLanes, Usage, type GpuContext } from './device.js';
import type { WebGpuKernel } from './kernel.js';
import type { BufferPool } from './pool.js';
import { GpuArray } from './memory.js';
import type { GpuQueue } from './queue.js';
import type { InFlight, InFlightHostArrays } from './host-arrays.js';

export { WebGpuError } from './queue.js';

/** What a launch's caller waits for (see docs/backends/webgpu.md, "Launches"). */
export interface RecordedLaunch {
  /** Settles when the kernel has finished: host arrays hold its results, its errors reject it. */
  done: Promise<void>;
  /** The kernel reports run-time errors (bounds, barriers, cut loops) through an error buffer. */
  reportsErrors: boolean;
  /** Some host typed array is copied back. */
  writesHost: boolean;
}

/** The per-device state launches record into. */
export interface LaunchState {
  pool: BufferPool;
  queue: GpuQueue;
  inflight: InFlightHostArrays;
  /** Bind groups per bind group layout, by the identity of their buffers: the same from launch to launch. */
  bindGroups: WeakMap<GPUBindGroupLayout, BindGroupCache>;
}

/** The bind groups of one layout: the last one used (checked first, without building a key), and the others by key. */
export interface BindGroupCache { last?: { entries: GPUBindGroupEntry[]; group: GPUBindGroup }; byKey: Map<string, GPUBindGroup> }

const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 0;
const idOf = (b: GPUBuffer): number => { let id = bufferIds.get(b); if (id === undefined) bufferIds.set(b, id = nextBufferId++); return id; };
/** Bound on the bind groups kept per layout (device arrays come and go). */
const MAX_CACHED_BIND_GROUPS = 256;

/**
 * Records one launch (uploads, uniform block, dispatch, copies back) into the
 * device's queue and returns without waiting for the GPU. Launches recorded
 * one after another run on the GPU in that order.
 */
export async function recordLaunch(ctx: GpuContext, state: LaunchState, k: WebGpuKernel, dims: LaunchDims, args: LaunchArg[]): Promise<RecordedLaunch> {
  const ir = k.ir;
  const limits = ctx.summary.limits;
  const device = ctx.device;
  const { pool, queue, inflight } = state;

  // Parameters that receive the same memory share one binding (WebGPU forbids
  // binding one buffer twice when either binding is writable).
  const aliases = aliasesOf(args);
  refuseOverlappingViews(ir, args);
  const [variantKey, wgsl] = aliases.size || driverLoopLimit(ctx.summary) ? k.variant(ctx, aliases) : ['', k.base];

  checkLimits(ctx, ir.name, wgsl, dims);
  const dyn = wgsl.dynamicShared ? Math.floor(dims.sharedMem / wgsl.dynamicShared.elemBytes) : 0;
  const { pipeline, layout } = await k.pipeline(ctx, variantKey, wgsl, dims.block, dyn);
  const dispatch = dispatchShape(ir.name, dims.grid, limits.maxComputeWorkgroupsPerDimension ?? 65535);
  const hostArgs: TypedArray[] = [];
  for (const b of wgsl.layout.arrays) {
    const h = b.vec4Of === undefined ? (args[b.params[0]] as Extract<LaunchArg, { kind: 'array' }>).host : undefined;
    if (h !== undefined) hostArgs.push(h);
  }
  // Other views of memory that launches in flight will write back: wait for those launches.
  if (hostArgs.length) {
    for (let waits = hostArgs.flatMap((h) => inflight.overlapping(h)); waits.length; waits = hostArgs.flatMap((h) => inflight.overlapping(h))) await Promise.all(waits);
  }

  // From here on nothing awaits: the launch is recorded in one piece.
  const temps: GPUBuffer[] = [];
  const used: [TypedArray, InFlight][] = [];
  const take = (bytes: number, usage: number, label: string): GPUBuffer => { const b = pool.acquire(bytes, usage, label); temps.push(b); return b; };
  const release = (): void => {
    for (const b of temps) pool.release(b);
    for (const [h, f] of used) inflight.release(h, f);
  };
  try {
    // Uniform block: grid, dispatch extent, scalars, lengths; in a slot of the batch's uniform buffer.
    const uniformBytes = wgsl.layout.uniformWords * 4;
    const slots = queue.slots(uniformBytes, wgsl.layout.errorBinding !== undefined);
    const { u32, i32, f32 } = slots.words, o = slots.base; // the chunk's words; this launch's block starts at word o
    u32[o + U_GRID] = dims.grid[0]; u32[o + U_GRID + 1] = dims.grid[1]; u32[o + U_GRID + 2] = dims.grid[2];
    u32[o + U_DISP_X] = dispatch[0]; u32[o + U_DISP_Y] = dispatch[1];
    u32[o + U_NBLOCKS] = dims.grid[0] * dims.grid[1] * dims.grid[2];
    u32[o + U_ZERO] = 0;
    for (const s of wgsl.layout.scalars) {
      const a = args[s.param];
      const v = a.kind === 'scalar' ? a.value : 0;
      if (s.type === 'f32') f32[o + s.word] = Number(v);
      else if (s.type === 'i32') i32[o + s.word] = Number(v) | 0;
      else if (s.type === 'u32') u32[o + s.word] = Number(v) >>> 0;
      else u32[o + s.word] = v ? 1 : 0;
    }
    for (const [p, w] of wgsl.layout.lengthWord) { const a = args[p]; u32[o + w] = a.kind === 'array' ? a.length : 0; }

    // Storage buffers: device arrays in place; host arrays uploaded to pooled
    // buffers, or the GPU copy of launches in flight that write them back.
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: slots.uniform.buffer, size: uniformBytes } }];
    const readbacks: { src: GPUBuffer; host: TypedArray }[] = [];
    for (const b of wgsl.layout.arrays) {
      const a = args[b.params[0]] as Extract<LaunchArg, { kind: 'array' }>;
      const bytes = storageBytes(b.elem, a.length);
      if (b.vec4Of !== undefined) {
        const of = entries.find((e) => e.binding === b.vec4Of)!.resource as GPUBufferBinding; // the same buffer's binding
        entries.push({ binding: b.binding, resource: { buffer: of.buffer, size: bytes } });
        continue;
      }
      if (bytes > (limits.maxStorageBufferBindingSize ?? Infinity)) {
        throw new LaunchError(`kernel '${ir.name}': array '${ir.params[b.params[0]].name}' needs ${bytes} bytes, over this adapter's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}) on ${ctx.summary.name}`, ir.name, { array: ir.params[b.params[0]].name });
      }
      let buf: GPUBuffer;
      if (a.buffer !== undefined) {
        buf = GpuArray.check(a.buffer, ctx, ir.name).buffer;
      } else {
        const host = a.host!;
        let f = inflight.get(host);
        if (f) buf = f.buffer;
        else {
          buf = pool.acquire(bytes, Usage.STORAGE | Usage.COPY_DST | Usage.COPY_SRC, `numbat:${ir.params[b.params[0]].name}`);
          writePadded(device, buf, host);
          if (b.readOnly) temps.push(buf);
          else f = inflight.add(host, buf);
        }
        if (f) { inflight.use(f); used.push([host, f]); }
        if (!b.readOnly) readbacks.push({ src: buf, host });
      }
      entries.push({ binding: b.binding, resource: { buffer: buf, size: bytes } });
    }
    const offsets = [slots.uniform.offset];
    if (slots.error) {
      entries.push({ binding: wgsl.layout.errorBinding!, resource: { buffer: slots.error.buffer, size: ERR_WORDS * 4 } });
      offsets.push(slots.error.offset);
    }

    // One staging buffer for the host arrays that come back.
    let stagingBytes = 0;
    const stagingAt = readbacks.map((r) => { const o = stagingBytes; stagingBytes += Math.ceil(r.host.byteLength / 4) * 4; return o; });
    const staging = stagingBytes ? take(stagingBytes, Usage.MAP_READ | Usage.COPY_DST, 'numbat:staging') : undefined;

    const { group: bindGroup, scopes } = bindGroupFor(state, device, layout, entries, ir.name);
    // Into the batch's compute pass (its error slot is copied back with the batch's, queue.ts):
    // nothing below throws, so no launch leaves the batch half written.
    const pass = queue.computePass(pipeline);
    pass.setBindGroup(0, bindGroup, offsets);
    pass.dispatchWorkgroups(dispatch[0], dispatch[1], dispatch[2]);
    if (readbacks.length) {
      const enc = queue.copyEncoder();
      readbacks.forEach((r, j) => enc.copyBufferToBuffer(r.src, 0, staging!, stagingAt[j], Math.ceil(r.host.byteLength / 4) * 4));
    }

    const done = queue.add({
      kernel: ir.name, scopes, errOffset: slots.error?.offset, staging, release,
      finish(err, data) {
        if (err && err[0] !== 0) throw runtimeError(k, wgsl, dims, err);
        readbacks.forEach((r, j) => {
          new Uint8Array(r.host.buffer, r.host.byteOffset, r.host.byteLength).set(new Uint8Array(data!, stagingAt[j], r.host.byteLength));
        });
      },
    });
    for (const [, f] of used) inflight.track(f, done);
    return { done, reportsErrors: slots.error !== undefined, writesHost: readbacks.length > 0 };
  } catch (e) {
    release(); // nothing was queued
    throw e;
  }
}

/**
 * The bind group for these entries, reused for the same buffers (by identity:
 * device arrays, the batch chunks, and the pooled copies of host arrays, which
 * come back from the pool for the next launch on the same sizes; a destroyed
 * buffer is never handed out again, so its groups are never hit). A new one is
 * created inside error scopes (pushed and popped here, with nothing awaited
 * between: launches interleave).
 */
function bindGroupFor(state: LaunchState, device: GPUDevice, layout: GPUBindGroupLayout, entries: GPUBindGroupEntry[], kernel: string): { group: GPUBindGroup; scopes?: Promise<(GPUError | null)[]> } {
  let cache = state.bindGroups.get(layout);
  if (!cache) state.bindGroups.set(layout, cache = { byKey: new Map() });
  // Back-to-back launches of a kernel mostly bind what the previous one bound: compare without a key.
  if (cache.last && sameBuffers(cache.last.entries, entries)) return { group: cache.last.group };
  const key = entries.map((e) => { const r = e.resource as GPUBufferBinding; return `${e.binding}:${idOf(r.buffer)}:${r.size}`; }).join(',');
  const byKey = cache.byKey;
  const hit = byKey.get(key);
  if (hit) { cache.last = { entries, group: hit }; return { group: hit }; }
  if (byKey.size >= MAX_CACHED_BIND_GROUPS) byKey.clear();
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const group = device.createBindGroup({ layout, entries, label: `numbat:${kernel}` });
  const scopes = Promise.all([device.popErrorScope(), device.popErrorScope()]);
  // A cached group that failed validation would fail every later launch: keep only good ones.
  byKey.set(key, group);
  const last = cache.last = { entries, group };
  const forget = (): void => { byKey.delete(key); if (cache.last === last) cache.last = undefined; };
  void scopes.then(([v, o]) => { if (v || o) forget(); }, forget);
  return { group, scopes };
}

function sameBuffers(a: GPUBindGroupEntry[], b: GPUBindGroupEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].resource as GPUBufferBinding, y = b[i].resource as GPUBufferBinding;
    if (a[i].binding !== b[i].binding || x.buffer !== y.buffer || x.size !== y.size) return false;
  }
  return true;
}

/** Argument index → the first argument given the same array (device array or host typed array). */
function aliasesOf(args: LaunchArg[]): ReadonlyMap<number, number> {
  let aliases: Map<number, number> | undefined; // made only when some argument repeats
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a.kind !== 'array') continue;
    const id = a.host ?? a.buffer;
    for (let j = 0; j < i; j++) {
      const b = args[j];
      if (b.kind === 'array' && (b.host ?? b.buffer) === id) { (aliases ??= new Map()).set(i, j); break; }
    }
  }
  return aliases ?? NO_ALIASES;
}
const NO_ALIASES: ReadonlyMap<number, number> = new Map();

/**
 * Writes a typed array into a buffer; WebGPU wants a multiple of 4 bytes, and
 * Dawn rejects views of a SharedArrayBuffer ("Invalid argument"): those are
 * copied first.
 */
export function writePadded(device: GPUDevice, buf: GPUBuffer, data: TypedArray): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength === 0) return;
  const shared = !(data.buffer instanceof ArrayBuffer);
  if (bytes.byteLength % 4 === 0 && !shared) { device.queue.writeBuffer(buf, 0, bytes as Uint8Array<ArrayBuffer>); return; }
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  padded.set(bytes);
  device.queue.writeBuffer(buf, 0, padded);
}

function checkLimits(ctx: GpuContext, kernel: string, wgsl: WgslKernel, dims: LaunchDims): void {
  const L = ctx.summary.limits;
  const where = (): string => `on ${ctx.summary.name} (WebGPU ${ctx.summary.featureLevel})`; // built only for a refusal
  const [bx, by, bz] = dims.block;
  const fail = (msg: string, detail: Record<string, unknown>): never => { throw new LaunchError(`kernel '${kernel}': ${msg}`, kernel, detail); };
  const dimLimits = [L.maxComputeWorkgroupSizeX, L.maxComputeWorkgroupSizeY, L.maxComputeWorkgroupSizeZ];
  for (let i = 0; i < 3; i++) {
    const d = dims.block[i];
    if (d > dimLimits[i]) fail(`block ${dims.block.join('×')} is too large: blockDim.${'xyz'[i]} = ${d} exceeds maxComputeWorkgroupSize${'XYZ'[i]} = ${dimLimits[i]} ${where()}`, { block: dims.block });
  }
  if (bx * by * bz > L.maxComputeInvocationsPerWorkgroup) {
    fail(`block ${dims.block.join('×')} has ${bx * by * bz} threads, over maxComputeInvocationsPerWorkgroup = ${L.maxComputeInvocationsPerWorkgroup} ${where()}`, { block: dims.block });
  }
  const dynBytes = wgsl.dynamicShared ? Math.max(1, Math.floor(dims.sharedMem / wgsl.dynamicShared.elemBytes)) * wgsl.dynamicShared.slotBytes : 0;
  const shared = wgsl.workgroupBytes + dynBytes;
  if (shared > L.maxComputeWorkgroupStorageSize) {
    fail(`needs ${shared} bytes of shared (workgroup) memory${dynBytes ? ` (${dynBytes} dynamic)` : ''}, over maxComputeWorkgroupStorageSize = ${L.maxComputeWorkgroupStorageSize} ${where()}` +
      ' (8/16-bit shared arrays take 4 bytes per element on WebGPU)', { sharedBytes: shared });
  }
  if (wgsl.linearBlock) {
    // The block runs as one row (emit.ts): within the row's limit, and in whole SIMD groups.
    const threads = bx * by * bz, lanes = driverSimdLanes(ctx.summary);
    if (threads > L.maxComputeWorkgroupSizeX) {
      fail(`block ${dims.block.join('×')} has ${threads} threads, over maxComputeWorkgroupSizeX = ${L.maxComputeWorkgroupSizeX} ${where}: a kernel whose loops with barriers exit on a shared or atomic value runs its block as one row on this driver`, { block: dims.block });
    }
    if (threads % lanes !== 0) {
      fail(`block ${dims.block.join('×')} has ${threads} threads, not a multiple of ${lanes} ${where}: this driver (Mesa llvmpipe) runs ${lanes} threads as one SIMD group and miscompiles a loop with a barrier whose exit depends on shared memory, atomics or warp functions in a partly filled group ` +
        `(its threads stop, or later loops end early). Use a block of a multiple of ${lanes} threads, or another target`, { block: dims.block });
    }
  }
  const storage = wgsl.layout.arrays.length + (wgsl.layout.errorBinding !== undefined ? 1 : 0);
  if (storage > L.maxStorageBuffersPerShaderStage) {
    fail(`uses ${storage} storage buffers (${wgsl.layout.arrays.filter((b) => b.vec4Of === undefined).length} array arguments${wgsl.layout.errorBinding !== undefined ? ' + 1 for error reports' : ''}), over maxStorageBuffersPerShaderStage = ${L.maxStorageBuffersPerShaderStage} ${where()}`, {});
  }
}

/**
 * The workgroup counts to dispatch for a grid. Each dimension is limited
 * (usually to 65535); a larger grid is laid out linearly over x, then y, then
 * z, and the shader maps the linear workgroup index back to blockIdx.
 */
export function dispatchShape(kernel: string, grid: [number, number, number], max: number): [number, number, number] {
  const total = grid[0] * grid[1] * grid[2];
  if (total > 0xffffffff) throw new LaunchError(`kernel '${kernel}': grid ${grid.join('×')} has ${total} blocks; WebGPU launches at most 2^32 - 1`, kernel, { grid });
  if (grid.every((g) => g <= max)) return [...grid];
  const dx = Math.min(total, max);
  const dy = Math.min(Math.ceil(total / dx), max);
  const dz = Math.ceil(total / (dx * dy));
  if (dz > max || dx * dy * dz > 0xffffffff) throw new LaunchError(`kernel '${kernel}': grid ${grid.join('×')} is too large for this adapter (at most ${max} workgroups per dimension)`, kernel, { grid });
  return [dx, dy, dz];
}

function runtimeError(k: WebGpuKernel, wgsl: WgslKernel, dims: LaunchDims, err: Uint32Array): LaunchError {
  const ir = k.ir;
  const kind = err[1], site = wgsl.sites[err[2]];
  const thread = [err[5], err[6], err[7]], block = [err[8], err[9], err[10]];
  if (kind === ERR_OOB && site?.kind === 'oob') {
    const index = site.signed ? err[3] | 0 : err[3];
    return launchErrors.outOfBounds(ir.name, { array: site.array, index, length: err[4], line: site.line, thread, block });
  }
  if (kind === ERR_BARRIER && site?.kind === 'barrier') {
    const [bx, by] = dims.block;
    const e = err[3];
    const exited = [e % bx, Math.floor(e / bx) % by, Math.floor(e / (bx * by))];
    return launchErrors.barrierExit(ir.name, { block, exited, waiting: thread, line: site.line });
  }
  if (kind === ERR_LOOP && site?.kind === 'loop') {
    const passes = err[3], where = `the loop at line ${site.line ?? '?'}`, who = `in thread (${thread.join(', ')}) of block (${block.join(', ')})`;
    // The driver also counts numbat's own helper loops (atomics' compare-exchange, some math):
    // a thread far below the limit in its kernel loops was stopped by something else.
    const message = passes >= site.limit / 2
      ? `kernel '${ir.name}': ${where} was cut short ${who} after ${passes} loop passes: this adapter's driver (Mesa llvmpipe) ends every loop of a thread once its loops have run ${site.limit} passes together ` +
        `(innermost loops without continue or barriers run ${LOOP_UNROLL} iterations per pass: up to ${site.limit * LOOP_UNROLL} iterations). ` +
        'Give each thread fewer iterations (more threads or more launches), or use another target.'
      : `kernel '${ir.name}': this adapter's driver (Mesa llvmpipe) ended ${where} early ${who}: the thread had run ${passes} passes of the kernel's loops, well below the driver's limit of ${site.limit} ` +
        '(it also counts the compare-exchange loops of atomics, which contention can make long; llvmpipe also has faults with loops, docs/backends/webgpu.md). ' +
        'The kernel did not finish on this adapter: use another target, or report it with the kernel.';
    return new LaunchError(message, ir.name, { block, thread, loopLine: site.line, passes });
  }
  return launchErrors.unknown(ir.name, kind, block);
}

/**
 * Two different host views over overlapping bytes of one buffer (`k(buf.subarray(0, 8),
 * buf.subarray(4, 12))`): each binding is its own GPU copy here, so a write through one
 * would not be seen through the other. Refused rather than run with another meaning
 * (the same array twice, and disjoint views, are fine).
 */
function refuseOverlappingViews(ir: { name: string; params: { name: string }[] }, args: LaunchArg[]): void {
  const hosts: (readonly [number, TypedArray])[] = [];
  args.forEach((a, i) => { if (a.kind === 'array' && a.host !== undefined && a.host.byteLength > 0) hosts.push([i, a.host]); });
  if (hosts.length < 2) return;
  const kernel = ir.name, names = ir.params.map((p) => p.name);
  for (let x = 0; x < hosts.length; x++) {
    for (let y = x + 1; y < hosts.length; y++) {
      const [i, a] = hosts[x], [j, b] = hosts[y];
      if (a === b || a.buffer !== b.buffer) continue;
      if (a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength) {
        throw new LaunchError(`kernel '${kernel}': arguments '${names[i]}' and '${names[j]}' are overlapping views of one ArrayBuffer; webgpu gives each argument its own GPU buffer, so writes through one would not be seen through the other: pass the whole array once (and an offset), or use cpu or cuda, where such views alias`, kernel, { array: names[j] });
      }
    }
  }
}
