// One kernel launch: check the launch against the device's limits, upload host
// arrays, fill the uniform block, dispatch (folding big grids into 2-D/3-D),
// read results (and the error report) back through one MAP_READ staging
// buffer, and turn any failure into a rejected promise.

/// <reference types="@webgpu/types" />

import { LaunchError, launchErrors, type LaunchArg, type LaunchDims, type TypedArray } from '@numbat/core';
import {
  ERR_BARRIER, ERR_LOOP, ERR_OOB, ERR_WORDS, LOOP_UNROLL, storageBytes, U_DISP_X, U_DISP_Y, U_GRID, U_NBLOCKS, U_ZERO, type WgslKernel,
} from '../codegen/index.js';
import { driverLoopLimit, takeUncapturedError, Usage, MAP_READ_MODE, type GpuContext } from './device.js';
import type { WebGpuKernel } from './kernel.js';
import type { BufferPool } from './pool.js';
import { GpuArray } from './memory.js';

export class WebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

export async function launchKernel(ctx: GpuContext, pool: BufferPool, k: WebGpuKernel, dims: LaunchDims, args: LaunchArg[]): Promise<void> {
  const ir = k.ir;
  const limits = ctx.summary.limits;
  const device = ctx.device;

  // Parameters that receive the same memory share one binding (WebGPU forbids
  // binding one buffer twice when either binding is writable).
  const aliases = new Map<number, number>();
  const seen = new Map<unknown, number>();
  args.forEach((a, i) => {
    if (a.kind !== 'array') return;
    const id = a.host ?? a.buffer;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i); else aliases.set(i, first);
  });
  const [variantKey, wgsl] = aliases.size || driverLoopLimit(ctx.summary) ? k.variant(ctx, aliases) : ['', k.base];

  checkLimits(ctx, ir.name, wgsl, dims);
  const dyn = wgsl.dynamicShared ? Math.floor(dims.sharedMem / wgsl.dynamicShared.elemBytes) : 0;
  const { pipeline, layout } = await k.pipeline(ctx, variantKey, wgsl, dims.block, dyn);
  const dispatch = dispatchShape(ir.name, dims.grid, limits.maxComputeWorkgroupsPerDimension ?? 65535);

  const temps: GPUBuffer[] = [];
  const take = (bytes: number, usage: number, label: string): GPUBuffer => { const b = pool.acquire(bytes, usage, label); temps.push(b); return b; };
  try {
    // Uniform block: grid, dispatch extent, scalars, lengths.
    const words = new ArrayBuffer(wgsl.layout.uniformWords * 4);
    const u32 = new Uint32Array(words), i32 = new Int32Array(words), f32 = new Float32Array(words);
    u32[U_GRID] = dims.grid[0]; u32[U_GRID + 1] = dims.grid[1]; u32[U_GRID + 2] = dims.grid[2];
    u32[U_DISP_X] = dispatch[0]; u32[U_DISP_Y] = dispatch[1];
    u32[U_NBLOCKS] = dims.grid[0] * dims.grid[1] * dims.grid[2];
    u32[U_ZERO] = 0;
    for (const s of wgsl.layout.scalars) {
      const a = args[s.param];
      const v = a.kind === 'scalar' ? a.value : 0;
      if (s.type === 'f32') f32[s.word] = Number(v);
      else if (s.type === 'i32') i32[s.word] = Number(v) | 0;
      else if (s.type === 'u32') u32[s.word] = Number(v) >>> 0;
      else u32[s.word] = v ? 1 : 0;
    }
    for (const [p, w] of wgsl.layout.lengthWord) { const a = args[p]; u32[w] = a.kind === 'array' ? a.length : 0; }
    const ubuf = take(words.byteLength, Usage.UNIFORM | Usage.COPY_DST, 'numbat:args');
    device.queue.writeBuffer(ubuf, 0, words);

    // Storage buffers: device arrays in place, host arrays uploaded to pooled buffers.
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: ubuf, size: words.byteLength } }];
    const readbacks: { src: GPUBuffer; host: TypedArray }[] = [];
    for (const b of wgsl.layout.arrays) {
      const a = args[b.params[0]] as Extract<LaunchArg, { kind: 'array' }>;
      const bytes = storageBytes(b.elem, a.length);
      if (bytes > (limits.maxStorageBufferBindingSize ?? Infinity)) {
        throw new LaunchError(`kernel '${ir.name}': array '${ir.params[b.params[0]].name}' needs ${bytes} bytes, over this adapter's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}) on ${ctx.summary.name}`, ir.name, { array: ir.params[b.params[0]].name });
      }
      let buf: GPUBuffer;
      if (a.buffer !== undefined) {
        buf = GpuArray.check(a.buffer, ctx, ir.name).buffer;
      } else {
        buf = take(bytes, Usage.STORAGE | Usage.COPY_DST | Usage.COPY_SRC, `numbat:${ir.params[b.params[0]].name}`);
        writePadded(device, buf, a.host!);
        if (!b.readOnly) readbacks.push({ src: buf, host: a.host! });
      }
      entries.push({ binding: b.binding, resource: { buffer: buf, size: bytes } });
    }
    let errBuf: GPUBuffer | undefined;
    if (wgsl.layout.errorBinding !== undefined) {
      errBuf = take(ERR_WORDS * 4, Usage.STORAGE | Usage.COPY_DST | Usage.COPY_SRC, 'numbat:errors');
      device.queue.writeBuffer(errBuf, 0, new Uint32Array(ERR_WORDS));
      entries.push({ binding: wgsl.layout.errorBinding, resource: { buffer: errBuf, size: ERR_WORDS * 4 } });
    }

    // One staging buffer for everything that comes back.
    let stagingBytes = errBuf ? ERR_WORDS * 4 : 0;
    const offsets = readbacks.map((r) => { const o = stagingBytes; stagingBytes += Math.ceil(r.host.byteLength / 4) * 4; return o; });
    const staging = stagingBytes ? take(stagingBytes, Usage.MAP_READ | Usage.COPY_DST, 'numbat:staging') : undefined;

    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const bindGroup = device.createBindGroup({ layout, entries, label: `numbat:${ir.name}` });
    const enc = device.createCommandEncoder({ label: `numbat:${ir.name}` });
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(dispatch[0], dispatch[1], dispatch[2]);
    pass.end();
    if (staging) {
      if (errBuf) enc.copyBufferToBuffer(errBuf, 0, staging, 0, ERR_WORDS * 4);
      readbacks.forEach((r, j) => enc.copyBufferToBuffer(r.src, 0, staging, offsets[j], Math.ceil(r.host.byteLength / 4) * 4));
    }
    device.queue.submit([enc.finish()]);
    // Both pops now, before any await: concurrent launches must not pop each other's scopes.
    const [validation, oom] = await Promise.all([device.popErrorScope(), device.popErrorScope()]);
    if (validation) throw new WebGpuError(`numbat bug: WebGPU rejected the launch of kernel '${ir.name}': ${validation.message}`);
    if (oom) throw new WebGpuError(`kernel '${ir.name}': out of GPU memory on ${ctx.summary.name}: ${oom.message}`);

    if (!staging) {
      await device.queue.onSubmittedWorkDone();
    } else {
      try {
        await staging.mapAsync(MAP_READ_MODE);
      } catch (e) {
        throw new WebGpuError(`kernel '${ir.name}': reading results back failed: ${(e as Error).message}${ctx.lost ? ` (${takeUncapturedError() ?? 'device lost'})` : ''}`);
      }
      try {
        const data = staging.getMappedRange();
        if (errBuf) {
          const err = new Uint32Array(data, 0, ERR_WORDS);
          if (err[0] !== 0) throw runtimeError(k, wgsl, dims, err);
        }
        readbacks.forEach((r, j) => {
          new Uint8Array(r.host.buffer, r.host.byteOffset, r.host.byteLength).set(new Uint8Array(data, offsets[j], r.host.byteLength));
        });
      } finally {
        staging.unmap();
      }
    }
    if (ctx.lost) throw new WebGpuError(`kernel '${ir.name}': ${takeUncapturedError() ?? 'WebGPU device lost'}`);
  } finally {
    for (const b of temps) pool.release(b);
  }
}

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
  const where = `on ${ctx.summary.name} (WebGPU ${ctx.summary.featureLevel})`;
  const [bx, by, bz] = dims.block;
  const fail = (msg: string, detail: Record<string, unknown>): never => { throw new LaunchError(`kernel '${kernel}': ${msg}`, kernel, detail); };
  const dimLimits = [L.maxComputeWorkgroupSizeX, L.maxComputeWorkgroupSizeY, L.maxComputeWorkgroupSizeZ];
  dims.block.forEach((d, i) => {
    if (d > dimLimits[i]) fail(`block ${dims.block.join('×')} is too large: blockDim.${'xyz'[i]} = ${d} exceeds maxComputeWorkgroupSize${'XYZ'[i]} = ${dimLimits[i]} ${where}`, { block: dims.block });
  });
  if (bx * by * bz > L.maxComputeInvocationsPerWorkgroup) {
    fail(`block ${dims.block.join('×')} has ${bx * by * bz} threads, over maxComputeInvocationsPerWorkgroup = ${L.maxComputeInvocationsPerWorkgroup} ${where}`, { block: dims.block });
  }
  const dynBytes = wgsl.dynamicShared ? Math.max(1, Math.floor(dims.sharedMem / wgsl.dynamicShared.elemBytes)) * wgsl.dynamicShared.slotBytes : 0;
  const shared = wgsl.workgroupBytes + dynBytes;
  if (shared > L.maxComputeWorkgroupStorageSize) {
    fail(`needs ${shared} bytes of shared (workgroup) memory${dynBytes ? ` (${dynBytes} dynamic)` : ''}, over maxComputeWorkgroupStorageSize = ${L.maxComputeWorkgroupStorageSize} ${where}` +
      ' (8/16-bit shared arrays take 4 bytes per element on WebGPU)', { sharedBytes: shared });
  }
  const storage = wgsl.layout.arrays.length + (wgsl.layout.errorBinding !== undefined ? 1 : 0);
  if (storage > L.maxStorageBuffersPerShaderStage) {
    fail(`uses ${storage} storage buffers (${wgsl.layout.arrays.length} array arguments${wgsl.layout.errorBinding !== undefined ? ' + 1 for error reports' : ''}), over maxStorageBuffersPerShaderStage = ${L.maxStorageBuffersPerShaderStage} ${where}`, {});
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
    return new LaunchError(
      `kernel '${ir.name}': the loop at line ${site.line ?? '?'} was cut short in thread (${thread.join(', ')}) of block (${block.join(', ')}): this adapter's driver (Mesa llvmpipe) ends every loop of a thread once its loops have run ${site.limit} passes together ` +
      `(innermost loops without continue or barriers run ${LOOP_UNROLL} iterations per pass: up to ${site.limit * LOOP_UNROLL} iterations). ` +
      'Give each thread fewer iterations (more threads or more launches), or use another target.',
      ir.name, { block, thread, loopLine: site.line },
    );
  }
  return launchErrors.unknown(ir.name, kind, block);
}
