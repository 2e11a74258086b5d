// The refusals of what a target's caps lack (grid barriers, fences, 64-bit integers and
// atomics): one place, run on the lowered IR before legalisation, so a backend's compile
// never sees what it cannot do. Each is a CompileError naming the construct, the target
// and the line.

import type { KernelIR } from './nodes.js';
import type { BackendCaps } from '../backend.js';
import { CompileError } from '../errors.js';
import { forEachStmt } from './walk.js';
import { check64 } from './uses64.js';

/** Throws for the first construct the caps lack: grid barriers (caps.gridSync), fences (caps.fences), 64-bit integers and atomics. */
export function refuseMissingCaps(ir: KernelIR, caps: BackendCaps, target: string): void {
  forEachStmt(ir.body, (s) => {
    if (s.kind === 'barrier' && s.grid && !caps.gridSync) {
      throw new CompileError('cuda.cg.this_grid().sync()', `cuda.cg.this_grid().sync() (grid-wide synchronisation) is not available on target '${target}': it cannot keep every block of the grid resident at once to meet at the barrier; split the kernel into two launches at the barrier, or use target 'cpu', 'cuda' or 'sim'`, ir.name, ir.source, s.loc);
    }
    if (s.kind === 'fence' && !caps.fences) {
      const api = s.scope === 'block' ? 'cuda.threadfence_block()' : s.scope === 'device' ? 'cuda.threadfence()' : 'cuda.threadfence_system()';
      throw new CompileError(api, `${api} is not available on target '${target}': ${target === 'webgpu' ? 'WGSL has no memory fence (storageBarrier() is a workgroup barrier, not a fence, and its atomics are relaxed)' : 'the target has no memory fences'}; order memory through atomics or a barrier, or split the kernel into two launches`, ir.name, ir.source, s.loc);
    }
  });
  check64(ir, caps, target);
}
