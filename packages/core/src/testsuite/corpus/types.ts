// A conformance case: a kernel, how to launch it, fresh inputs, and a plain-JS
// reference that computes the expected contents of the output arguments.

import type { JitOptions, NdArray } from '@numbat/core';

export type Arrays = (Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | BigInt64Array | BigUint64Array | NdArray | number | boolean | bigint)[];

export interface CorpusCase {
  name: string;
  /** Language features this case covers (for the docs' coverage table). */
  covers: string[];
  kernel: (...args: any[]) => void;
  options?: JitOptions;
  grid: number | number[];
  block: number | number[];
  sharedMem?: number;
  /** Fresh arguments for one launch. */
  args: () => Arrays;
  /** Writes the expected result into `expected` (a fresh copy of the arguments). */
  reference: (expected: Arrays) => void;
  /** Indices of the arguments to compare after the launch. */
  outputs: number[];
  /** Outputs that are random generator states: word for word but kept Box-Muller partners (compare.ts stateMismatches). */
  randomStates?: number[];
  /** |got - want| <= atol + rtol * |want| for floats; ints must match exactly unless intAtol is set. */
  rtol?: number;
  atol?: number;
  intAtol?: number;
  /** Float zeros must match in sign too (-0 vs +0); otherwise 0 === -0 passes. */
  signedZero?: boolean;
  /** Uses f64 data: targets without f64 (webgpu) must refuse it with a clear error. */
  needsF64?: boolean;
  /** Uses 8/16-bit arrays. */
  narrowInts?: boolean;
  /** Targets that must refuse the case with a CompileError whose message matches (naming the feature and the target). */
  refusedOn?: Record<string, RegExp>;
  /** Uses i64/u64 (BigInt): targets without caps.i64 must refuse it with a CompileError naming i64. */
  needsI64?: boolean;
}

export function ramp(n: number, f: (i: number) => number, T: new (n: number) => any = Float32Array): any {
  const a = new T(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}
