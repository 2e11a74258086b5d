// A compiled kernel on WebGPU: its WGSL (one variant per aliasing pattern of
// its array arguments) and, per device, its shader modules and one pipeline
// per block shape and dynamic shared size.

/// <reference types="@webgpu/types" />

import { CompileError, type CompiledKernel, type CompileOptions, type KernelIR } from '@numbat/core';
import { generateWgsl, type WgslKernel } from '../codegen/index.js';
import { driverLoopLimit, type GpuContext } from './device.js';

export interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class WebGpuKernel implements CompiledKernel {
  private readonly variants = new Map<string, WgslKernel>();
  private readonly pipelines = new Map<string, Promise<Pipeline>>();
  private readonly modules = new Map<string, Promise<GPUShaderModule>>();

  constructor(readonly ir: KernelIR, readonly opts: CompileOptions, readonly base: WgslKernel) {
    this.variants.set('', base);
  }

  static compile(ir: KernelIR, opts: CompileOptions): WebGpuKernel {
    const base = generateWgsl(ir, { float: opts.float, boundscheck: opts.boundscheck, fastmath: opts.fastmath });
    return new WebGpuKernel(ir, opts, base);
  }

  /**
   * The WGSL to run on `ctx`'s adapter for arguments where some parameters
   * receive the same buffer as an earlier one (and, on a driver that cuts long
   * loops, with unrolled and checked loops).
   */
  variant(ctx: GpuContext, aliases: ReadonlyMap<number, number>): [string, WgslKernel] {
    const loopIterationLimit = driverLoopLimit(ctx.summary);
    const key = [...aliases].map(([a, b]) => `${a}=${b}`).join(',') + (loopIterationLimit ? `|loops<${loopIterationLimit}` : '');
    let v = this.variants.get(key);
    if (!v) {
      v = generateWgsl(this.ir, { float: this.opts.float, boundscheck: this.opts.boundscheck, fastmath: this.opts.fastmath, aliases, loopIterationLimit });
      this.variants.set(key, v);
    }
    return [key, v];
  }

  pipeline(ctx: GpuContext, variantKey: string, wgsl: WgslKernel, block: [number, number, number], dynElems: number): Promise<Pipeline> {
    const key = `${ctx.generation}|${variantKey}|${block.join(',')}|${dynElems}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.createPipeline(ctx, variantKey, wgsl, block, dynElems);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  /** Drops everything created on a device that is going away. */
  forget(generation: number): void {
    for (const k of [...this.pipelines.keys()]) if (k.startsWith(`${generation}|`)) this.pipelines.delete(k);
    for (const k of [...this.modules.keys()]) if (k.startsWith(`${generation}|`)) this.modules.delete(k);
  }

  private module(ctx: GpuContext, variantKey: string, wgsl: WgslKernel): Promise<GPUShaderModule> {
    const key = `${ctx.generation}|${variantKey}`;
    let m = this.modules.get(key);
    if (!m) {
      m = (async () => {
        // Error scopes are pushed and popped synchronously: launches interleave at every await.
        ctx.device.pushErrorScope('validation');
        const module = ctx.device.createShaderModule({ code: wgsl.code, label: `numbat:${this.ir.name}` });
        const scope = ctx.device.popErrorScope();
        const info = await module.getCompilationInfo();
        await scope; // the messages below say more than this error
        const errors = info.messages.filter((msg) => msg.type === 'error');
        if (errors.length) throw this.wgslRejected(wgsl, errors);
        return module;
      })();
      this.modules.set(key, m);
      m.catch(() => this.modules.delete(key));
    }
    return m;
  }

  private async createPipeline(ctx: GpuContext, variantKey: string, wgsl: WgslKernel, block: [number, number, number], dynElems: number): Promise<Pipeline> {
    const module = await this.module(ctx, variantKey, wgsl);
    const COMPUTE = 4;
    // The uniform block and the error report are slots of buffers shared by a batch (queue.ts): dynamic offsets.
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }];
    for (const b of wgsl.layout.arrays) entries.push({ binding: b.binding, visibility: COMPUTE, buffer: { type: b.readOnly ? 'read-only-storage' : 'storage' } });
    if (wgsl.layout.errorBinding !== undefined) entries.push({ binding: wgsl.layout.errorBinding, visibility: COMPUTE, buffer: { type: 'storage', hasDynamicOffset: true } });
    ctx.device.pushErrorScope('validation');
    const layout = ctx.device.createBindGroupLayout({ entries, label: `numbat:${this.ir.name}` });
    const pipelineLayout = ctx.device.createPipelineLayout({ bindGroupLayouts: [layout] });
    const scope = ctx.device.popErrorScope();
    const constants: Record<string, number> = { nb_bx: block[0], nb_by: block[1], nb_bz: block[2] };
    if (wgsl.dynamicShared) {
      constants[wgsl.dynamicShared.override] = Math.max(1, dynElems);
      constants[wgsl.dynamicShared.override.replace('nb_dyn_', 'nb_dynlen_')] = dynElems;
    }
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await ctx.device.createComputePipelineAsync({
        label: `numbat:${this.ir.name}`, layout: pipelineLayout,
        compute: { module, entryPoint: 'main', constants },
      });
    } catch (e) {
      throw new Error(`numbat bug: WebGPU could not create the pipeline for kernel '${this.ir.name}' (block ${block.join('×')}): ${(e as Error).message}`);
    } finally {
      const err = await scope;
      if (err) throw new Error(`numbat bug: WebGPU rejected the bind group layout of kernel '${this.ir.name}': ${err.message}`);
    }
    return { pipeline, layout };
  }

  /** Dawn rejected our WGSL: a numbat bug, reported at the user's source line it came from. */
  private wgslRejected(wgsl: WgslKernel, errors: readonly GPUCompilationMessage[]): CompileError {
    const first = errors[0];
    const lines = wgsl.code.split('\n');
    let loc = wgsl.lineLocs[first.lineNum - 1];
    for (let i = first.lineNum - 1; !loc && i >= 0; i--) loc = wgsl.lineLocs[i];
    const text = lines[first.lineNum - 1]?.trim() ?? '';
    const msg = `numbat bug: the WGSL generated for kernel '${this.ir.name}' was rejected by Dawn: ${first.message}` +
      ` (WGSL line ${first.lineNum}: \`${text}\`${errors.length > 1 ? `; ${errors.length - 1} more error(s)` : ''}).` +
      ` Please report it with the kernel's source; kernel.inspect('wgsl', ...args) shows the whole shader.`;
    return new CompileError('WGSL rejected by Dawn', msg, this.ir.name, this.ir.source, loc);
  }
}
