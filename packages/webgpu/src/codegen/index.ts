// The WGSL code generator: pure functions from the typed IR to WGSL text plus
// the argument layout the runtime needs. No GPU and no Node APIs here.

import { flattenRetryLoops, hoistBoundsChecks, keepThreadStatesInLocals, type KernelIR } from '@numbat/core';
import { checkSupported } from './checks.js';
import { emitWgsl, type WgslKernel } from './emit.js';

export { MATH_LOWERING } from './math.js';
export { HELPERS } from './helpers.js';
export type { WgslKernel, ErrorSite, LoopForm } from './emit.js';
export * from './layout.js';

export interface GenerateOptions {
  float: 'f32' | 'f64';
  boundscheck: boolean;
  fastmath?: boolean;
  aliases?: ReadonlyMap<number, number>;
  loopIterationLimit?: number;
}

/**
 * Refuses what WGSL cannot express (f64, sub-word atomics), then emits the
 * shader; with bounds checks on, grid-stride loops are versioned first so that
 * accesses proven inside their arrays go unchecked (core's hoistBoundsChecks).
 * Loops of random draws keep the thread's state words in locals (core's keepThreadStatesInLocals).
 * A retry loop inside a counted loop (a rejection sampler's) becomes one loop (core's
 * flattenRetryLoops): the threads of a SIMD group then wait for each other once per try
 * instead of once per draw (the bench's gamma on llvmpipe: 17–20 → 19–22 M draws/s).
 */
export function generateWgsl(source: KernelIR, opts: GenerateOptions): WgslKernel {
  checkSupported(source, opts.float);
  const ir = keepThreadStatesInLocals(flattenRetryLoops(source));
  return emitWgsl(opts.boundscheck ? hoistBoundsChecks(ir) : ir, { boundscheck: opts.boundscheck, fastmath: opts.fastmath, aliases: opts.aliases, loopIterationLimit: opts.loopIterationLimit });
}
