// Target 'sim': the reference simulator as a Backend. Host memory is device
// memory, so host typed arrays are used in place (no copies).

import type { Backend, CompiledKernel, LaunchArg, LaunchDims } from '../backend.js';
import type { KernelIR } from '../ir/nodes.js';
import { TYPED_ARRAY_OF, type ElemType, type ScalarType, type TypedArray } from '../types.js';
import { evalConvert } from '../ir/semantics.js';
import { ALL_NATIVE } from '../legalize/native.js';
import { generateSim, type SimSource } from './codegen.js';
import { runSim } from './runtime.js';

interface SimKernel extends CompiledKernel {
  src: SimSource;
  factory: Function;
}

export const simBackend: Backend = {
  target: 'sim',
  caps: { f64: true, gridSync: true, fences: true, warp: 'native', native: ALL_NATIVE, i64: 'native', atomics64: true },
  stages: ['js'],
  async available() {
    // Few blocks: the simulator runs them one after another, and fewer threads cost less.
    return { ok: true, device: 'reference simulator (JavaScript)', hardware: false, gridStrideBlocks: 32 };
  },
  async compile(ir: KernelIR): Promise<CompiledKernel> {
    // The simulator always checks bounds (it is the oracle), whatever opts.boundscheck says.
    const src = generateSim(ir);
    const factory = new Function('P', 'G', 'C', 'D', 'rt', src.body);
    const k: SimKernel = { ir, src, factory };
    return k;
  },
  async inspect(kernel: CompiledKernel, stage: string) {
    if (stage === 'js') return (kernel as SimKernel).src.body;
    throw new Error(`sim has no stage '${stage}'`);
  },
  async launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]) {
    const k = kernel as SimKernel;
    const scalars = args.map((a) => (a.kind === 'scalar' ? scalarArg(a.type, a.value) : undefined));
    const arrays = args.map((a) => (a.kind === 'array' ? ((a.host ?? a.buffer) as TypedArray) : undefined));
    runSim(k.ir, k.src, k.factory, dims, scalars, arrays);
  },
  async alloc(elem: ElemType, length: number) {
    return new TYPED_ARRAY_OF[elem](length);
  },
  async upload(buffer: unknown, data: TypedArray) {
    (buffer as TypedArray).set(data as any);
  },
  async download(buffer: unknown, into: TypedArray) {
    into.set(buffer as any);
  },
  free() {},
};

/**
 * A scalar argument as the parameter's type holds it, converted as on every
 * other target: ToInt32 / ToUint32 for i32 / u32, rounding to f32, truthiness
 * for bool (a `signature` may declare 3000000000 an i32 or 0.001 an f32).
 */
function scalarArg(type: ScalarType, v: number | boolean | bigint): number | boolean | bigint {
  return evalConvert(typeof v === 'boolean' ? 'bool' : 'f64', type, v);
}
